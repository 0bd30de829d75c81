package io.syncgateway.checksum;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.erdtman.jcs.JsonCanonicalizer;

/** The direct canonical writer produces exactly what the JCS reference produces from the encoded text. */
class CanonicalJsonProperties {

  private static String reference(JsonObject value) throws Exception {
    return new JsonCanonicalizer(value.encode()).getEncodedString();
  }

  @Property(tries = 500)
  void directWriterMatchesTheReference(@ForAll("entities") JsonObject entity) throws Exception {
    assertThat(CanonicalJson.of(entity, 16)).isEqualTo(reference(entity));
  }

  @Provide
  Arbitrary<JsonObject> entities() {
    return objects(3);
  }

  private Arbitrary<JsonObject> objects(int depth) {
    return Arbitraries.maps(names(), values(depth)).ofMaxSize(6).map(map -> {
      JsonObject object = new JsonObject();
      map.forEach(object::put);
      return object;
    });
  }

  private Arbitrary<Object> values(int depth) {
    Arbitrary<Object> scalars = Arbitraries.oneOf(
        strings().map(Object.class::cast),
        Arbitraries.longs().map(Object.class::cast),
        Arbitraries.integers().map(Object.class::cast),
        Arbitraries.doubles().filter(Double::isFinite).map(Object.class::cast),
        Arbitraries.of(0.1, 1e21, 1e-7, -0.0, 333333333.33333329, 4.5, 9007199254740993.0).map(Object.class::cast),
        Arbitraries.bigDecimals().ofScale(3).between(new BigDecimal("-1e6"), new BigDecimal("1e6"))
            .map(Object.class::cast),
        Arbitraries.of(true, false).map(Object.class::cast),
        Arbitraries.just(null));
    if (depth == 0) {
      return scalars;
    }
    Arbitrary<Object> arrays = Arbitraries.lazy(() -> values(depth - 1)).list().ofMaxSize(4)
        .map(list -> (Object) new JsonArray(list));
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(6, scalars),
        net.jqwik.api.Tuple.of(1, arrays),
        net.jqwik.api.Tuple.of(1, Arbitraries.lazy(() -> objects(depth - 1)).map(Object.class::cast)));
  }

  private static Arbitrary<String> names() {
    return Arbitraries.oneOf(strings(), Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(8));
  }

  /** Any UTF-16 text: controls, quotes, backslashes, accents, surrogate pairs (emoji). */
  private static Arbitrary<String> strings() {
    return Arbitraries.oneOf(
        Arbitraries.strings().all().ofMaxLength(12),
        Arbitraries.of("\u0000\u001f\"\\/\b\f\n\r\t", "Grüße €", "😀 a\u2028b", "\u20ac$\u000F\nA'B\"\\"));
  }
}
