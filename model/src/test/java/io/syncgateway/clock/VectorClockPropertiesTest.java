package io.syncgateway.clock;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.EnumSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * Algebraic laws of vector clocks. Keys come from a tiny set and counters are small so that
 * EQUAL, BEFORE and AFTER occur often, not just CONCURRENT.
 */
class VectorClockPropertiesTest {

  private static final EnumSet<ClockRelation> BEFORE_OR_EQUAL =
      EnumSet.of(ClockRelation.BEFORE, ClockRelation.EQUAL);
  private static final EnumSet<ClockRelation> AFTER_OR_EQUAL =
      EnumSet.of(ClockRelation.AFTER, ClockRelation.EQUAL);

  @Provide
  Arbitrary<VectorClock> clocks() {
    return Arbitraries.maps(
            Arbitraries.of("a", "b", "c", "d"), Arbitraries.longs().between(0, 3))
        .ofMaxSize(4)
        .map(VectorClock::of);
  }

  @Provide
  Arbitrary<String> devices() {
    return Arbitraries.of("a", "b", "c", "d", "e");
  }

  /** Clocks with counters over the whole range, to exercise the wire form. */
  @Provide
  Arbitrary<VectorClock> wideClocks() {
    Arbitrary<String> keys = Arbitraries.strings()
        .withChars("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._~:-")
        .ofMinLength(1).ofMaxLength(128)
        .filter(s -> !s.equals(".") && !s.equals(".."));
    Arbitrary<Long> counters = Arbitraries.oneOf(
        Arbitraries.longs().between(0, VectorClock.MAX_COUNTER),
        Arbitraries.of(0L, 1L, (long) Integer.MAX_VALUE + 1, VectorClock.MAX_COUNTER));
    return Arbitraries.maps(keys, counters).ofMaxSize(20).map(VectorClock::of);
  }

  @Property
  @Label("the generator produces every relation")
  void generatorCoversAllRelations(@ForAll("clocks") VectorClock a,
      @ForAll("clocks") VectorClock b) {
    Statistics.collect(a.relationTo(b));
    Statistics.coverage(checker -> {
      for (ClockRelation relation : ClockRelation.values()) {
        checker.check(relation).percentage(p -> p >= 3);
      }
    });
  }

  @Property
  @Label("merge is commutative")
  void mergeIsCommutative(@ForAll("clocks") VectorClock a, @ForAll("clocks") VectorClock b) {
    assertThat(a.merge(b)).isEqualTo(b.merge(a));
  }

  @Property
  @Label("merge is associative")
  void mergeIsAssociative(@ForAll("clocks") VectorClock a, @ForAll("clocks") VectorClock b,
      @ForAll("clocks") VectorClock c) {
    assertThat(a.merge(b).merge(c)).isEqualTo(a.merge(b.merge(c)));
  }

  @Property
  @Label("merge is idempotent")
  void mergeIsIdempotent(@ForAll("clocks") VectorClock a) {
    assertThat(a.merge(a)).isEqualTo(a);
  }

  @Property
  @Label("merge is AFTER or EQUAL to both inputs")
  void mergeDominatesInputs(@ForAll("clocks") VectorClock a, @ForAll("clocks") VectorClock b) {
    VectorClock merged = a.merge(b);
    assertThat(merged.relationTo(a)).isIn(AFTER_OR_EQUAL);
    assertThat(merged.relationTo(b)).isIn(AFTER_OR_EQUAL);
  }

  @Property
  @Label("a is BEFORE b exactly when b is AFTER a")
  void beforeMirrorsAfter(@ForAll("clocks") VectorClock a, @ForAll("clocks") VectorClock b) {
    assertThat(a.relationTo(b) == ClockRelation.BEFORE)
        .isEqualTo(b.relationTo(a) == ClockRelation.AFTER);
  }

  @Property
  @Label("EQUAL and CONCURRENT are symmetric")
  void equalAndConcurrentAreSymmetric(@ForAll("clocks") VectorClock a,
      @ForAll("clocks") VectorClock b) {
    ClockRelation forward = a.relationTo(b);
    if (forward == ClockRelation.EQUAL || forward == ClockRelation.CONCURRENT) {
      assertThat(b.relationTo(a)).isEqualTo(forward);
    }
  }

  @Property
  @Label("every clock is EQUAL to itself")
  void relationIsReflexive(@ForAll("clocks") VectorClock a) {
    assertThat(a.relationTo(VectorClock.of(a.asMap()))).isEqualTo(ClockRelation.EQUAL);
  }

  @Property
  @Label("increment gives a clock AFTER the original")
  void incrementIsAfter(@ForAll("clocks") VectorClock a,
      @ForAll("devices") String device) {
    assertThat(a.increment(device).relationTo(a)).isEqualTo(ClockRelation.AFTER);
    assertThat(a.relationTo(a.increment(device))).isEqualTo(ClockRelation.BEFORE);
  }

  @Property
  @Label("a is BEFORE or EQUAL to b exactly when merge(a, b) equals b")
  void relationConsistentWithMerge(@ForAll("clocks") VectorClock a,
      @ForAll("clocks") VectorClock b) {
    assertThat(BEFORE_OR_EQUAL.contains(a.relationTo(b))).isEqualTo(a.merge(b).equals(b));
  }

  @Property
  @Label("equals agrees with EQUAL, and equal clocks have equal hash codes")
  void equalsAgreesWithRelation(@ForAll("clocks") VectorClock a,
      @ForAll("clocks") VectorClock b) {
    assertThat(a.equals(b)).isEqualTo(a.relationTo(b) == ClockRelation.EQUAL);
    if (a.equals(b)) {
      assertThat(a.hashCode()).isEqualTo(b.hashCode());
    }
  }

  @Property
  @Label("sum respects causal order")
  void sumRespectsCausalOrder(@ForAll("clocks") VectorClock a, @ForAll("clocks") VectorClock b) {
    if (a.relationTo(b) == ClockRelation.BEFORE) {
      assertThat(a.sum()).isLessThan(b.sum());
    }
  }

  @Property
  @Label("sum grows along a causal history")
  void sumGrowsAlongHistory(@ForAll("clocks") VectorClock a, @ForAll("clocks") VectorClock other,
      @ForAll("devices") String device) {
    // merge-then-increment is how a device creates a state that follows both inputs
    VectorClock next = a.merge(other).increment(device);
    assertThat(a.relationTo(next)).isEqualTo(ClockRelation.BEFORE);
    assertThat(a.sum()).isLessThan(next.sum());
  }

  @Property
  @Label("fromJson(toJson(c)) equals c")
  void jsonRoundTrip(@ForAll("clocks") VectorClock c) {
    assertThat(VectorClock.fromJson(c.toJson(), 256)).isEqualTo(c);
  }

  @Property
  @Label("the wire form round-trips through text with order and counters intact")
  void jsonTextRoundTrip(@ForAll("wideClocks") VectorClock c) {
    String text = c.toJson().encode();
    VectorClock back = VectorClock.fromJson(new JsonObject(text), 256);
    assertThat(back).isEqualTo(c);
    assertThat(back.asMap()).containsExactlyEntriesOf(c.asMap());
  }

  @Property
  @Label("relationTo agrees with a naive union-of-keys comparison")
  void relationMatchesNaiveDefinition(@ForAll("clocks") VectorClock a,
      @ForAll("clocks") VectorClock b) {
    boolean aAhead = false;
    boolean bAhead = false;
    for (String key : new String[] {"a", "b", "c", "d"}) {
      aAhead |= a.get(key) > b.get(key);
      bAhead |= a.get(key) < b.get(key);
    }
    ClockRelation expected = aAhead
        ? (bAhead ? ClockRelation.CONCURRENT : ClockRelation.AFTER)
        : (bAhead ? ClockRelation.BEFORE : ClockRelation.EQUAL);
    assertThat(a.relationTo(b)).isEqualTo(expected);
  }

  @Property
  @Label("merge is sum-monotone: never less than either input")
  void mergeSumIsAtLeastInputs(@ForAll("clocks") VectorClock a, @ForAll("clocks") VectorClock b) {
    VectorClock merged = a.merge(b);
    assertThat(merged.sum()).isGreaterThanOrEqualTo(Math.max(a.sum(), b.sum()));
  }
}
