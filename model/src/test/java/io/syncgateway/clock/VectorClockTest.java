package io.syncgateway.clock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class VectorClockTest {

  private static final long MAX = 9007199254740991L;
  private static final String COUNTER_MESSAGE =
      "vectorClock counter for 'd1' must be an integer between 0 and 9007199254740991";

  private static VectorClock clock(Object... keysAndCounters) {
    Map<String, Long> map = new LinkedHashMap<>();
    for (int i = 0; i < keysAndCounters.length; i += 2) {
      map.put((String) keysAndCounters[i], ((Number) keysAndCounters[i + 1]).longValue());
    }
    return VectorClock.of(map);
  }

  private static VectorClock parse(String json) {
    return VectorClock.fromJson(new JsonObject(json), 256);
  }

  @Nested
  @DisplayName("construction")
  class Construction {

    @Test
    @DisplayName("empty() has no entries and sum 0")
    void emptyHasNoEntries() {
      assertThat(VectorClock.empty().size()).isZero();
      assertThat(VectorClock.empty().sum()).isZero();
      assertThat(VectorClock.empty().asMap()).isEmpty();
    }

    @Test
    @DisplayName("of() copies the map, so later changes to it do not leak in")
    void ofCopiesTheMap() {
      Map<String, Long> source = new HashMap<>(Map.of("a", 1L));
      VectorClock c = VectorClock.of(source);
      source.put("a", 5L);
      assertThat(c.get("a")).isEqualTo(1);
    }

    @Test
    @DisplayName("of() rejects an invalid key")
    void ofRejectsInvalidKey() {
      assertThatThrownBy(() -> VectorClock.of(Map.of("x y", 1L)))
          .isInstanceOf(InvalidClockException.class)
          .hasMessage("vectorClock key 'x y' is not a valid id");
    }

    @Test
    @DisplayName("of() rejects a negative counter")
    void ofRejectsNegativeCounter() {
      assertThatThrownBy(() -> VectorClock.of(Map.of("d1", -1L)))
          .isInstanceOf(InvalidClockException.class)
          .hasMessage(COUNTER_MESSAGE);
    }

    @Test
    @DisplayName("of() rejects a counter above 2^53-1")
    void ofRejectsTooLargeCounter() {
      assertThatThrownBy(() -> VectorClock.of(Map.of("d1", MAX + 1)))
          .isInstanceOf(InvalidClockException.class)
          .hasMessage(COUNTER_MESSAGE);
    }

    @Test
    @DisplayName("of() rejects a null counter")
    void ofRejectsNullCounter() {
      Map<String, Long> map = new HashMap<>();
      map.put("d1", null);
      assertThatThrownBy(() -> VectorClock.of(map)).isInstanceOf(InvalidClockException.class);
    }
  }

  @Nested
  @DisplayName("fromJson")
  class FromJson {

    @Test
    @DisplayName("reads integer counters")
    void readsIntegers() {
      VectorClock c = parse("{\"d1\": 3, \"d2\": 0}");
      assertThat(c.get("d1")).isEqualTo(3);
      assertThat(c.get("d2")).isZero();
      assertThat(c.size()).isEqualTo(2);
    }

    @Test
    @DisplayName("accepts 2^53-1, the largest counter")
    void acceptsMaximumCounter() {
      assertThat(parse("{\"d1\": 9007199254740991}").get("d1")).isEqualTo(MAX);
    }

    @Test
    @DisplayName("rejects 2^53")
    void rejectsOneAboveMaximum() {
      assertThatThrownBy(() -> parse("{\"d1\": 9007199254740992}"))
          .isInstanceOf(InvalidClockException.class)
          .hasMessage(COUNTER_MESSAGE);
    }

    @Test
    @DisplayName("rejects a counter that only fits a BigInteger")
    void rejectsHugeInteger() {
      assertThatThrownBy(() -> parse("{\"d1\": 123456789012345678901234567890}"))
          .isInstanceOf(InvalidClockException.class)
          .hasMessage(COUNTER_MESSAGE);
    }

    @Test
    @DisplayName("accepts a BigInteger counter in range")
    void acceptsBigIntegerInRange() {
      JsonObject json = new JsonObject().put("d1", BigInteger.valueOf(7));
      assertThat(VectorClock.fromJson(json, 256).get("d1")).isEqualTo(7);
    }

    @Test
    @DisplayName("accepts an integral double such as 42.0")
    void acceptsIntegralDouble() {
      assertThat(parse("{\"d1\": 42.0}").get("d1")).isEqualTo(42);
    }

    @Test
    @DisplayName("accepts an integral float")
    void acceptsIntegralFloat() {
      JsonObject json = new JsonObject().put("d1", 5.0f);
      assertThat(VectorClock.fromJson(json, 256).get("d1")).isEqualTo(5);
    }

    @Test
    @DisplayName("accepts an integral BigDecimal, also in exponent form")
    void acceptsIntegralBigDecimal() {
      JsonObject json = new JsonObject()
          .put("d1", new BigDecimal("42.000"))
          .put("d2", new BigDecimal("4E+2"));
      VectorClock c = VectorClock.fromJson(json, 256);
      assertThat(c.get("d1")).isEqualTo(42);
      assertThat(c.get("d2")).isEqualTo(400);
    }

    @Test
    @DisplayName("rejects a fractional double")
    void rejectsFractionalDouble() {
      assertThatThrownBy(() -> parse("{\"d1\": 1.5}"))
          .isInstanceOf(InvalidClockException.class)
          .hasMessage(COUNTER_MESSAGE);
    }

    @Test
    @DisplayName("rejects a fractional BigDecimal")
    void rejectsFractionalBigDecimal() {
      JsonObject json = new JsonObject().put("d1", new BigDecimal("1.25"));
      assertThatThrownBy(() -> VectorClock.fromJson(json, 256))
          .isInstanceOf(InvalidClockException.class);
    }

    @Test
    @DisplayName("rejects a BigDecimal with a huge exponent without expanding it")
    void rejectsHugeBigDecimal() {
      JsonObject json = new JsonObject().put("d1", new BigDecimal("1E+999999999"));
      assertThatThrownBy(() -> VectorClock.fromJson(json, 256))
          .isInstanceOf(InvalidClockException.class);
    }

    @Test
    @DisplayName("rejects a double above 2^53-1")
    void rejectsTooLargeDouble() {
      assertThatThrownBy(() -> parse("{\"d1\": 1e300}"))
          .isInstanceOf(InvalidClockException.class);
    }

    @Test
    @DisplayName("rejects infinite and NaN doubles")
    void rejectsNonFiniteDoubles() {
      for (double d : new double[] {Double.POSITIVE_INFINITY, Double.NaN}) {
        JsonObject json = new JsonObject().put("d1", d);
        assertThatThrownBy(() -> VectorClock.fromJson(json, 256))
            .isInstanceOf(InvalidClockException.class);
      }
    }

    @Test
    @DisplayName("rejects a negative counter")
    void rejectsNegative() {
      assertThatThrownBy(() -> parse("{\"d1\": -1}"))
          .isInstanceOf(InvalidClockException.class)
          .hasMessage(COUNTER_MESSAGE);
    }

    @Test
    @DisplayName("rejects a numeric string")
    void rejectsString() {
      assertThatThrownBy(() -> parse("{\"d1\": \"3\"}"))
          .isInstanceOf(InvalidClockException.class)
          .hasMessage(COUNTER_MESSAGE);
    }

    @Test
    @DisplayName("rejects a boolean")
    void rejectsBoolean() {
      assertThatThrownBy(() -> parse("{\"d1\": true}"))
          .isInstanceOf(InvalidClockException.class)
          .hasMessage(COUNTER_MESSAGE);
    }

    @Test
    @DisplayName("rejects null")
    void rejectsNullCounter() {
      assertThatThrownBy(() -> parse("{\"d1\": null}"))
          .isInstanceOf(InvalidClockException.class)
          .hasMessage(COUNTER_MESSAGE);
    }

    @Test
    @DisplayName("rejects nested objects and arrays")
    void rejectsNestedValues() {
      assertThatThrownBy(() -> parse("{\"d1\": {\"x\": 1}}"))
          .isInstanceOf(InvalidClockException.class);
      JsonObject json = new JsonObject().put("d1", new JsonArray().add(1));
      assertThatThrownBy(() -> VectorClock.fromJson(json, 256))
          .isInstanceOf(InvalidClockException.class);
    }

    @Test
    @DisplayName("rejects a key outside the id alphabet")
    void rejectsInvalidKey() {
      assertThatThrownBy(() -> parse("{\"x y\": 1}"))
          .isInstanceOf(InvalidClockException.class)
          .hasMessage("vectorClock key 'x y' is not a valid id");
    }

    @Test
    @DisplayName("rejects an empty key")
    void rejectsEmptyKey() {
      assertThatThrownBy(() -> parse("{\"\": 1}"))
          .isInstanceOf(InvalidClockException.class)
          .hasMessage("vectorClock key '' is not a valid id");
    }

    @Test
    @DisplayName("shortens a huge invalid key in the message")
    void shortensHugeKeyInMessage() {
      String key = "x".repeat(10_000);
      JsonObject json = new JsonObject().put(key, 1);
      assertThatThrownBy(() -> VectorClock.fromJson(json, 256))
          .isInstanceOf(InvalidClockException.class)
          .hasMessageStartingWith("vectorClock key 'xxxx")
          .hasMessageEndingWith("…' is not a valid id")
          .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(200));
    }

    @Test
    @DisplayName("accepts exactly the maximum number of entries")
    void acceptsMaximumEntries() {
      assertThat(VectorClock.fromJson(jsonWithEntries(256), 256).size()).isEqualTo(256);
    }

    @Test
    @DisplayName("rejects more entries than allowed")
    void rejectsTooManyEntries() {
      assertThatThrownBy(() -> VectorClock.fromJson(jsonWithEntries(300), 256))
          .isInstanceOf(InvalidClockException.class)
          .hasMessage("vectorClock has 300 entries; at most 256 allowed");
    }

    @Test
    @DisplayName("rejects a missing object")
    void rejectsNullObject() {
      assertThatThrownBy(() -> VectorClock.fromJson(null, 256))
          .isInstanceOf(InvalidClockException.class)
          .hasMessage("vectorClock must be a JSON object");
    }

    @Test
    @DisplayName("reads {} as the empty clock")
    void readsEmptyObject() {
      assertThat(parse("{}")).isEqualTo(VectorClock.empty());
    }

    @Test
    @DisplayName("the exception is unchecked")
    void exceptionIsUnchecked() {
      assertThat(new InvalidClockException("x")).isInstanceOf(RuntimeException.class);
    }

    private JsonObject jsonWithEntries(int n) {
      JsonObject json = new JsonObject();
      for (int i = 0; i < n; i++) {
        json.put("d" + i, i);
      }
      return json;
    }
  }

  @Nested
  @DisplayName("toJson and accessors")
  class Accessors {

    @Test
    @DisplayName("toJson keeps the entries in the order given, zero entries included")
    void toJsonPreservesOrder() {
      VectorClock c = parse("{\"z\": 1, \"a\": 0, \"m\": 2}");
      assertThat(c.toJson().fieldNames()).containsExactly("z", "a", "m");
      assertThat(c.toJson().encode()).isEqualTo("{\"z\":1,\"a\":0,\"m\":2}");
    }

    @Test
    @DisplayName("toJson returns a copy that does not change the clock")
    void toJsonIsACopy() {
      VectorClock c = clock("a", 1);
      c.toJson().put("a", 99L);
      assertThat(c.get("a")).isEqualTo(1);
    }

    @Test
    @DisplayName("get returns 0 for an absent device")
    void getAbsentIsZero() {
      assertThat(clock("a", 1).get("b")).isZero();
    }

    @Test
    @DisplayName("asMap cannot be modified")
    void asMapIsUnmodifiable() {
      assertThatThrownBy(() -> clock("a", 1).asMap().put("b", 2L))
          .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    @DisplayName("sum adds all counters")
    void sumAddsCounters() {
      assertThat(clock("a", 3, "b", 4, "c", 0).sum()).isEqualTo(7);
    }

    @Test
    @DisplayName("sum of maximal counters does not overflow")
    void sumOfMaximalCounters() {
      Map<String, Long> map = new LinkedHashMap<>();
      for (int i = 0; i < 256; i++) {
        map.put("d" + i, MAX);
      }
      assertThat(VectorClock.of(map).sum()).isEqualTo(256 * MAX);
    }

    @Test
    @DisplayName("toString names the entries")
    void toStringShowsEntries() {
      assertThat(clock("a", 1, "b", 2).toString()).isEqualTo("VectorClock{a=1, b=2}");
    }
  }

  @Nested
  @DisplayName("increment")
  class Increment {

    @Test
    @DisplayName("adds one to an existing counter and keeps its position")
    void incrementsExisting() {
      VectorClock c = clock("a", 1, "b", 5).increment("a");
      assertThat(c.asMap()).containsExactly(Map.entry("a", 2L), Map.entry("b", 5L));
    }

    @Test
    @DisplayName("appends a new device with counter 1")
    void incrementsAbsent() {
      VectorClock c = clock("a", 1).increment("b");
      assertThat(c.asMap()).containsExactly(Map.entry("a", 1L), Map.entry("b", 1L));
    }

    @Test
    @DisplayName("leaves the original clock unchanged")
    void isImmutable() {
      VectorClock original = clock("a", 1);
      original.increment("a");
      assertThat(original.get("a")).isEqualTo(1);
    }

    @Test
    @DisplayName("refuses to go beyond 2^53-1")
    void refusesOverflow() {
      assertThatThrownBy(() -> clock("d1", MAX).increment("d1"))
          .isInstanceOf(InvalidClockException.class)
          .hasMessage("vectorClock counter for 'd1' cannot exceed 9007199254740991");
    }

    @Test
    @DisplayName("refuses an invalid device id")
    void refusesInvalidDevice() {
      assertThatThrownBy(() -> VectorClock.empty().increment("a/b"))
          .isInstanceOf(InvalidClockException.class);
    }
  }

  @Nested
  @DisplayName("merge")
  class Merge {

    @Test
    @DisplayName("takes the pointwise maximum")
    void pointwiseMaximum() {
      VectorClock merged = clock("a", 3, "b", 1).merge(clock("b", 2, "c", 4));
      assertThat(merged).isEqualTo(clock("a", 3, "b", 2, "c", 4));
    }

    @Test
    @DisplayName("keeps this clock's entries first, then the other's new ones")
    void keepsOrder() {
      VectorClock merged = clock("z", 1, "b", 1).merge(clock("b", 2, "a", 4));
      assertThat(merged.asMap().keySet()).containsExactly("z", "b", "a");
    }

    @Test
    @DisplayName("with the empty clock gives an equal clock")
    void withEmpty() {
      VectorClock c = clock("a", 1);
      assertThat(c.merge(VectorClock.empty())).isEqualTo(c);
      assertThat(VectorClock.empty().merge(c)).isEqualTo(c);
    }
  }

  @Nested
  @DisplayName("relationTo")
  class RelationTo {

    @Test
    @DisplayName("identical clocks are EQUAL")
    void identicalAreEqual() {
      assertThat(clock("a", 1, "b", 2).relationTo(clock("b", 2, "a", 1)))
          .isEqualTo(ClockRelation.EQUAL);
    }

    @Test
    @DisplayName("a zero entry is EQUAL to no entry")
    void zeroEntryEqualsAbsent() {
      assertThat(clock("a", 0).relationTo(VectorClock.empty())).isEqualTo(ClockRelation.EQUAL);
      assertThat(VectorClock.empty().relationTo(clock("a", 0))).isEqualTo(ClockRelation.EQUAL);
    }

    @Test
    @DisplayName("a clock with a higher counter is AFTER")
    void higherCounterIsAfter() {
      assertThat(clock("a", 2).relationTo(clock("a", 1))).isEqualTo(ClockRelation.AFTER);
    }

    @Test
    @DisplayName("a clock with a lower counter is BEFORE")
    void lowerCounterIsBefore() {
      assertThat(clock("a", 1).relationTo(clock("a", 2))).isEqualTo(ClockRelation.BEFORE);
    }

    @Test
    @DisplayName("an extra non-zero entry makes this AFTER")
    void extraEntryIsAfter() {
      assertThat(clock("a", 1, "b", 1).relationTo(clock("a", 1))).isEqualTo(ClockRelation.AFTER);
    }

    @Test
    @DisplayName("a missing entry the other has makes this BEFORE")
    void missingEntryIsBefore() {
      assertThat(clock("a", 1).relationTo(clock("a", 1, "b", 1))).isEqualTo(ClockRelation.BEFORE);
    }

    @Test
    @DisplayName("anything non-empty is AFTER the empty clock")
    void afterEmpty() {
      assertThat(clock("a", 1).relationTo(VectorClock.empty())).isEqualTo(ClockRelation.AFTER);
      assertThat(VectorClock.empty().relationTo(clock("a", 1))).isEqualTo(ClockRelation.BEFORE);
    }

    @Test
    @DisplayName("each side ahead on a different device is CONCURRENT")
    void divergentIsConcurrent() {
      assertThat(clock("a", 2, "b", 1).relationTo(clock("a", 1, "b", 2)))
          .isEqualTo(ClockRelation.CONCURRENT);
    }

    @Test
    @DisplayName("disjoint non-zero entries are CONCURRENT")
    void disjointIsConcurrent() {
      assertThat(clock("a", 1).relationTo(clock("b", 1))).isEqualTo(ClockRelation.CONCURRENT);
    }

    @Test
    @DisplayName("an entry only the other has makes a clock that is ahead elsewhere CONCURRENT")
    void aheadButMissingIsConcurrent() {
      assertThat(clock("a", 2, "z", 0).relationTo(clock("a", 1, "b", 1)))
          .isEqualTo(ClockRelation.CONCURRENT);
    }

    @Test
    @DisplayName("zero entries on either side do not break dominance")
    void zeroEntriesIgnored() {
      assertThat(clock("a", 2, "x", 0).relationTo(clock("a", 1, "y", 0)))
          .isEqualTo(ClockRelation.AFTER);
    }

    @Test
    @DisplayName("works with 256 entries differing in the last one")
    void largeClocks() {
      Map<String, Long> base = new LinkedHashMap<>();
      for (int i = 0; i < 256; i++) {
        base.put("device-" + i, (long) i);
      }
      VectorClock a = VectorClock.of(base);
      VectorClock b = a.increment("device-255");
      assertThat(a.relationTo(b)).isEqualTo(ClockRelation.BEFORE);
      assertThat(b.relationTo(a)).isEqualTo(ClockRelation.AFTER);
    }
  }

  @Nested
  @DisplayName("equals and hashCode")
  class Equality {

    @Test
    @DisplayName("ignore zero entries")
    void ignoreZeroEntries() {
      VectorClock withZero = clock("a", 1, "b", 0);
      VectorClock without = clock("a", 1);
      assertThat(withZero).isEqualTo(without);
      assertThat(withZero.hashCode()).isEqualTo(without.hashCode());
    }

    @Test
    @DisplayName("ignore entry order")
    void ignoreOrder() {
      assertThat(clock("a", 1, "b", 2)).isEqualTo(clock("b", 2, "a", 1))
          .hasSameHashCodeAs(clock("b", 2, "a", 1));
    }

    @Test
    @DisplayName("distinguish different counters")
    void differentCounters() {
      assertThat(clock("a", 1)).isNotEqualTo(clock("a", 2));
    }

    @Test
    @DisplayName("distinguish clocks with the same sum")
    void sameSumDifferentClocks() {
      assertThat(clock("a", 1, "b", 2)).isNotEqualTo(clock("a", 2, "b", 1));
    }

    @Test
    @DisplayName("are false for other types and null")
    void otherTypes() {
      assertThat(clock("a", 1)).isNotEqualTo("a=1").isNotEqualTo(null);
    }
  }
}
