package io.syncgateway.security;

import static io.syncgateway.testsupport.Encodings.gzip;
import static io.syncgateway.testsupport.Encodings.deflate;
import static io.syncgateway.testsupport.Encodings.concat;
import static io.syncgateway.testsupport.Encodings.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import io.syncgateway.bus.ErrorCode;
import io.syncgateway.bus.GatewayException;
import io.syncgateway.decode.PayloadDecoder;
import io.syncgateway.decode.StrictJsonParser;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.statistics.Statistics;

/**
 * Random and mutated bodies fed to the decode worker's two stages, {@link PayloadDecoder} then
 * {@link StrictJsonParser}: the only outcomes are a result or a {@link GatewayException} with a
 * contract code (any other exception fails the property), and a decoded body is never longer than
 * the limit, however the input was built.
 */
@Label("Decoder fuzzing: PayloadDecoder and StrictJsonParser")
class DecoderFuzzProperties {
  private static final int LIMIT = 64 * 1024;
  private static final int DEPTH = 32;
  private static final Set<ErrorCode> DECODE_CODES = EnumSet.of(ErrorCode.BAD_ENCODING, ErrorCode.PAYLOAD_TOO_LARGE);

  private final PayloadDecoder decoder = new PayloadDecoder(LIMIT);
  private final StrictJsonParser parser = new StrictJsonParser(DEPTH);

  /** What decoding and parsing one body led to: the object, or the failure of one stage. */
  record Outcome(byte[] decoded, JsonObject parsed, GatewayException decodeFailure, GatewayException parseFailure) {
    ErrorCode code() {
      return decodeFailure != null ? decodeFailure.code() : parseFailure != null ? parseFailure.code() : null;
    }
  }

  /** Both stages, as the decode worker runs them; only GatewayException may escape them. */
  private Outcome run(byte[] body, String encoding) {
    byte[] decoded;
    try {
      decoded = decoder.decode(body, encoding);
    } catch (GatewayException e) {
      assertThat(e.code()).as("decode failure code").isIn(DECODE_CODES);
      return new Outcome(null, null, e, null);
    }
    assertThat(decoded.length).as("decoded length").isLessThanOrEqualTo(LIMIT);
    try {
      return new Outcome(decoded, parser.parseObject(decoded), null, null);
    } catch (GatewayException e) {
      assertThat(e.code()).as("parse failure code").isEqualTo(ErrorCode.INVALID_REQUEST);
      return new Outcome(decoded, null, null, e);
    }
  }

  // ------------------------------------------------------------------ random bytes

  @Property(tries = 400)
  @Label("random bytes under any encoding: a result or a contract code, never more than the limit")
  void randomBytes(@ForAll @Size(max = 2048) byte[] body, @ForAll("encodings") String encoding) {
    Outcome outcome = run(body, encoding);
    Statistics.label("outcome").collect(encoding, String.valueOf(outcome.code()));
  }

  @Property(tries = 300)
  @Label("random bytes behind a valid gzip header are bad_encoding or a capped result")
  void randomBytesAfterGzipHeader(@ForAll @Size(max = 1024) byte[] tail) {
    byte[] body = concat(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff}, tail);
    Outcome outcome = run(body, "gzip");
    assertThat(outcome.code()).isIn(ErrorCode.BAD_ENCODING, ErrorCode.PAYLOAD_TOO_LARGE, ErrorCode.INVALID_REQUEST, null);
  }

  // ------------------------------------------------------------------ mutated gzip and deflate

  @Property(tries = 300)
  @Label("a valid gzip batch cut short anywhere is bad_encoding")
  void truncatedGzip(@ForAll("batches") JsonObject batch, @ForAll("fractions") double cut) {
    byte[] gz = gzip(utf8(batch.encode()));
    byte[] truncated = Arrays.copyOf(gz, (int) (gz.length * cut));
    assertThat(run(truncated, "gzip").code()).isEqualTo(ErrorCode.BAD_ENCODING);
  }

  @Property(tries = 300)
  @Label("a valid zlib batch cut short anywhere is bad_encoding")
  void truncatedZlib(@ForAll("batches") JsonObject batch, @ForAll("fractions") double cut) {
    byte[] z = deflate(utf8(batch.encode()), false);
    byte[] truncated = Arrays.copyOf(z, (int) (z.length * cut));
    assertThat(run(truncated, "deflate").code()).isEqualTo(ErrorCode.BAD_ENCODING);
  }

  @Property(tries = 300)
  @Label("a raw deflate batch cut short: a defined outcome, never a different object")
  void truncatedRawDeflate(@ForAll("batches") JsonObject batch, @ForAll("fractions") double cut) {
    byte[] z = deflate(utf8(batch.encode()), true);
    Outcome outcome = run(Arrays.copyOf(z, (int) (z.length * cut)), "deflate");
    if (outcome.parsed() != null) {
      assertThat(outcome.parsed()).isEqualTo(batch);
    }
  }

  @Property(tries = 400)
  @Label("one flipped bit in a gzip batch is detected, or changes nothing")
  void bitFlippedGzip(@ForAll("batches") JsonObject batch, @ForAll @IntRange(min = 0, max = 1_000_000) int where,
      @ForAll @IntRange(min = 0, max = 7) int bit) {
    byte[] original = utf8(batch.encode());
    byte[] gz = gzip(original);
    int at = where % gz.length;
    gz[at] ^= (byte) (1 << bit);
    Outcome outcome = run(gz, "gzip");
    Statistics.label("flip").collect(at < 10 ? "header" : at >= gz.length - 8 ? "trailer" : "data",
        String.valueOf(outcome.code()));
    if (outcome.decoded() != null) {
      assertThat(outcome.decoded()).as("a flip that decodes must leave the content alone").isEqualTo(original);
    } else {
      assertThat(outcome.code()).isIn(ErrorCode.BAD_ENCODING, ErrorCode.PAYLOAD_TOO_LARGE);
    }
  }

  @Property(tries = 300)
  @Label("a flipped bit in a deflate batch: a defined outcome, capped")
  void bitFlippedDeflate(@ForAll("batches") JsonObject batch, @ForAll boolean raw,
      @ForAll @IntRange(min = 0, max = 1_000_000) int where, @ForAll @IntRange(min = 0, max = 7) int bit) {
    byte[] z = deflate(utf8(batch.encode()), raw);
    z[where % z.length] ^= (byte) (1 << bit);
    run(z, "deflate");
  }

  @Property(tries = 300)
  @Label("a gzip batch followed by extra bytes that are no gzip member is bad_encoding")
  void extendedGzip(@ForAll("batches") JsonObject batch, @ForAll @Size(min = 1, max = 64) byte[] extra) {
    Assume.that(extra[0] != 0x1f);
    byte[] body = concat(gzip(utf8(batch.encode())), extra);
    assertThat(run(body, "gzip").code()).isEqualTo(ErrorCode.BAD_ENCODING);
  }

  @Property(tries = 300)
  @Label("a zlib batch followed by extra bytes is bad_encoding")
  void extendedZlib(@ForAll("batches") JsonObject batch, @ForAll @Size(min = 1, max = 64) byte[] extra) {
    byte[] body = concat(deflate(utf8(batch.encode()), false), extra);
    assertThat(run(body, "deflate").code()).isEqualTo(ErrorCode.BAD_ENCODING);
  }

  @Property(tries = 200)
  @Label("a batch split into several gzip members decodes to the whole batch")
  void multiMemberGzip(@ForAll("batches") JsonObject batch, @ForAll("fractions") double split) {
    byte[] text = utf8(batch.encode());
    int at = (int) (text.length * split);
    byte[] body = concat(gzip(Arrays.copyOf(text, at)), gzip(Arrays.copyOfRange(text, at, text.length)));
    assertThat(run(body, "gzip").parsed()).isEqualTo(batch);
  }

  // ------------------------------------------------------------------ bombs and the limit

  @Property(tries = 60)
  @Label("zeros of any size: exactly the bytes up to the limit, payload_too_large beyond it")
  void zerosAroundTheLimit(@ForAll @IntRange(min = 0, max = 4 * LIMIT) int size, @ForAll("codings") String encoding) {
    byte[] body = compress(new byte[size], encoding);
    if (size <= LIMIT) {
      assertThat(decoder.decode(body, encoding)).hasSize(size);
    } else {
      assertThat(run(body, encoding).code()).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE);
    }
  }

  @Property(tries = 30)
  @Label("a bomb 16 to 160 times the limit allocates about the limit, not the bomb")
  void bombsStayWithinTheLimit(@ForAll @IntRange(min = 16, max = 160) int times, @ForAll("codings") String encoding) {
    byte[] bomb = compress(new byte[times * LIMIT], encoding);
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long thread = Thread.currentThread().getId();
    long before = threads.getThreadAllocatedBytes(thread);
    Outcome outcome = run(bomb, encoding);
    long allocated = threads.getThreadAllocatedBytes(thread) - before;

    assertThat(outcome.code()).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE);
    // The output buffer doubles up to limit + 1 (about 2 × limit in all); inflating the bomb would
    // allocate at least 16 × limit.
    assertThat(allocated).as("bytes allocated for a %d × limit bomb", times).isLessThan(4L * LIMIT + 128 * 1024);
  }

  // ------------------------------------------------------------------ JSON

  @Property(tries = 400)
  @Label("any JSON value: an object within the depth limit parses to itself, anything else is invalid_request")
  void randomJsonValues(@ForAll("jsonValues") Object value, @ForAll("encodings") String encoding) {
    String text = value instanceof JsonObject o ? o.encode() : value instanceof JsonArray a ? a.encode()
        : io.vertx.core.json.Json.encode(value);
    Outcome outcome = run(compress(utf8(text), encoding), encoding);
    if (value instanceof JsonObject object && depth(object) <= DEPTH) {
      assertThat(outcome.parsed()).isEqualTo(object);
    } else {
      assertThat(outcome.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
    }
  }

  @Property(tries = 100)
  @Label("nesting up to the limit parses, one level more is invalid_request")
  void nestingDepth(@ForAll @IntRange(min = 1, max = 80) int levels, @ForAll boolean arrays) {
    StringBuilder text = new StringBuilder("{\"a\":");
    for (int i = 1; i < levels; i++) {
      text.append(arrays ? "[" : "{\"a\":");
    }
    text.append("1");
    for (int i = 1; i < levels; i++) {
      text.append(arrays ? "]" : "}");
    }
    text.append("}");
    Outcome outcome = run(utf8(text.toString()), "identity");
    assertThat(outcome.code()).isEqualTo(levels <= DEPTH ? null : ErrorCode.INVALID_REQUEST);
  }

  @Property(tries = 500)
  @Label("a valid batch with random text edits: an object or invalid_request")
  void mutatedJsonText(@ForAll("batches") JsonObject batch, @ForAll("edits") List<Edit> edits,
      @ForAll("encodings") String encoding) {
    StringBuilder text = new StringBuilder(batch.encode());
    for (Edit edit : edits) {
      edit.applyTo(text);
    }
    Outcome outcome = run(compress(utf8(text.toString()), encoding), encoding);
    Statistics.label("parsed").collect(outcome.parsed() != null);
    assertThat(outcome.code()).isIn(ErrorCode.INVALID_REQUEST, null);
  }

  @Property(tries = 300)
  @Label("random bytes spliced into a valid batch: an object or invalid_request")
  void splicedBytes(@ForAll("batches") JsonObject batch, @ForAll @Size(min = 1, max = 8) byte[] junk,
      @ForAll @IntRange(min = 0, max = 1_000_000) int where) {
    byte[] text = utf8(batch.encode());
    int at = where % (text.length + 1);
    byte[] body = concat(Arrays.copyOf(text, at), junk, Arrays.copyOfRange(text, at, text.length));
    assertThat(run(body, "identity").code()).isIn(ErrorCode.INVALID_REQUEST, null);
  }

  // ------------------------------------------------------------------ generators

  @Provide
  Arbitrary<String> encodings() {
    return Arbitraries.of("identity", "gzip", "deflate", "x-gzip", "GZIP", " deflate ", "");
  }

  @Provide
  Arbitrary<String> codings() {
    return Arbitraries.of("gzip", "deflate");
  }

  @Provide
  Arbitrary<Double> fractions() {
    return Arbitraries.doubles().between(0, 1).filter(d -> d < 1);
  }

  @Provide
  Arbitrary<JsonObject> batches() {
    Arbitrary<String> ids = Arbitraries.strings().withChars("abcdefghijklmnopqrstuvwxyz0123456789-_.~:")
        .ofMinLength(1).ofMaxLength(40).filter(s -> !s.equals(".") && !s.equals(".."));
    Arbitrary<String> titles = Arbitraries.strings().withCharRange(' ', '~').withChars('é', '漢', '\n', '"', '\\')
        .ofMaxLength(200);
    Arbitrary<JsonObject> tasks = Combinators.combine(ids, titles, Arbitraries.longs().between(0, 1L << 53),
            Arbitraries.strings().alpha().ofMaxLength(10).list().ofMaxSize(5))
        .as((id, title, counter, tags) -> new JsonObject().put("id", id).put("title", title)
            .put("vectorClock", new JsonObject().put("dev-1", counter)).put("tags", new JsonArray(tags))
            .put("customFields", new JsonObject().put("n", counter).put("x", 1.5).put("ok", true).putNull("z")));
    return Combinators.combine(ids, tasks.list().ofMinSize(1).ofMaxSize(8))
        .as((device, items) -> new JsonObject().put("deviceId", device).put("timestamp", 1732550000000L)
            .put("changes", new JsonObject().put("task", new JsonArray(items))));
  }

  @Provide
  Arbitrary<Object> jsonValues() {
    return Arbitraries.recursive(DecoderFuzzProperties::leaves, DecoderFuzzProperties::containers, 0, 6)
        .injectNull(0.02);
  }

  /** Edits on JSON text; the characters favour the ones that matter to a JSON parser. */
  record Edit(int kind, int position, String text) {
    void applyTo(StringBuilder target) {
      int at = position % (target.length() + 1);
      switch (kind) {
        case 0 -> target.insert(at, text);
        case 1 -> target.delete(at, Math.min(target.length(), at + text.length()));
        case 2 -> target.replace(at, Math.min(target.length(), at + text.length()), text);
        default -> target.insert(at, target.substring(at, Math.min(target.length(), at + 20)));
      }
    }
  }

  @Provide
  Arbitrary<List<Edit>> edits() {
    Arbitrary<String> snippets = Arbitraries.oneOf(
        Arbitraries.of("{", "}", "[", "]", "\"", ":", ",", "\\", "\\u", "\\ud800", "-", "0", "1e999", "null",
            "true", "NaN", "\u0000", "\u0001", "é", "😀", "\"id\":", "\"changes\":", "{\"a\":{\"a\":[[[[",
            "123456789012345678901234567890"),
        Arbitraries.strings().withCharRange(' ', '~').ofMinLength(1).ofMaxLength(5));
    return Combinators.combine(Arbitraries.integers().between(0, 3), Arbitraries.integers().between(0, 100_000), snippets)
        .as(Edit::new).list().ofMinSize(1).ofMaxSize(4);
  }

  static Arbitrary<Object> leaves() {
    return Arbitraries.oneOf(
        Arbitraries.strings().withCharRange(' ', '~').withCharRange('\u00a0', '\u00ff')
            .withChars('\u0000', '\n', '\t', '\u2028', '漢').ofMaxLength(12).map(s -> (Object) s),
        Arbitraries.of("😀", "id", "changes", "t1'; DROP TABLE tasks;--").map(s -> (Object) s),
        Arbitraries.integers().map(i -> (Object) i),
        Arbitraries.longs().map(l -> (Object) l),
        Arbitraries.doubles().map(d -> (Object) d),
        Arbitraries.of(Boolean.TRUE, Boolean.FALSE).map(b -> (Object) b));
  }

  static Arbitrary<Object> containers(Arbitrary<Object> inner) {
    Arbitrary<String> keys = Arbitraries.oneOf(
        Arbitraries.of("id", "title", "changes", "task", "vectorClock", "deviceId", ""),
        Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(6));
    return Arbitraries.oneOf(
        inner.injectNull(0.1).list().ofMaxSize(4).map(list -> (Object) new JsonArray(list)),
        Arbitraries.maps(keys, inner.injectNull(0.1)).ofMaxSize(4)
            .map(map -> (Object) new JsonObject(new LinkedHashMap<>(map))));
  }

  /** Nesting levels of a value, the object itself counting 1. */
  private static int depth(Object value) {
    int inner = 0;
    if (value instanceof JsonObject object) {
      for (Map.Entry<String, Object> entry : object.getMap().entrySet()) {
        inner = Math.max(inner, depth(entry.getValue()));
      }
      return 1 + inner;
    }
    if (value instanceof JsonArray array) {
      for (Object element : array.getList()) {
        inner = Math.max(inner, depth(element));
      }
      return 1 + inner;
    }
    return 0;
  }

  // ------------------------------------------------------------------ encodings

  private static byte[] compress(byte[] data, String encoding) {
    String name = PayloadDecoder.normalize(encoding);
    return "gzip".equals(name) ? gzip(data) : "deflate".equals(name) ? deflate(data, false) : data;
  }

}
