package io.syncgateway.clock;

import io.syncgateway.entity.Ids;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Immutable vector clock: device id → counter.
 *
 * <p>Absent entries count as 0, so {@code {a:0}} and {@code {}} are equal; zero entries are still
 * kept as given so that {@link #toJson()} returns what the client sent. Entries keep insertion
 * order for the same reason.
 *
 * <p>Comparison runs on every pushed item, so {@link #relationTo} walks both maps once with
 * lookups instead of building a union of key sets, and {@link #sum()} and {@link #hashCode()} are
 * computed once at construction.
 */
public final class VectorClock {

  /** Largest counter: 2^53−1, the largest integer every JSON client can represent exactly. */
  public static final long MAX_COUNTER = (1L << 53) - 1;

  private static final BigDecimal MAX_COUNTER_DECIMAL = BigDecimal.valueOf(MAX_COUNTER);
  private static final int MAX_KEY_IN_MESSAGE = 64;
  private static final VectorClock EMPTY = new VectorClock(new LinkedHashMap<>());

  private final Map<String, Long> counters;
  private final long sum;
  private final int hash;

  /** Takes ownership of an already validated map. */
  private VectorClock(LinkedHashMap<String, Long> validated) {
    this.counters = Collections.unmodifiableMap(validated);
    long total = 0;
    int h = 0;
    for (Map.Entry<String, Long> e : validated.entrySet()) {
      long value = e.getValue();
      total = saturatedAdd(total, value);
      if (value != 0) {
        // Order-independent and blind to zero entries, so it agrees with equals().
        h += e.getKey().hashCode() ^ Long.hashCode(value);
      }
    }
    this.sum = total;
    this.hash = h;
  }

  /** The clock with no entries (every counter 0). */
  public static VectorClock empty() {
    return EMPTY;
  }

  /**
   * A clock with the given entries, in the map's iteration order.
   *
   * @throws InvalidClockException if a key is not a valid id or a counter is outside 0 … 2^53−1
   */
  public static VectorClock of(Map<String, Long> entries) {
    Objects.requireNonNull(entries, "entries");
    LinkedHashMap<String, Long> copy = new LinkedHashMap<>(capacityFor(entries.size()));
    for (Map.Entry<String, Long> e : entries.entrySet()) {
      String key = requireValidKey(e.getKey());
      Long value = e.getValue();
      if (value == null || !inRange(value)) {
        throw invalidCounter(key);
      }
      copy.put(key, value);
    }
    return copy.isEmpty() ? EMPTY : new VectorClock(copy);
  }

  /**
   * Reads a clock from its wire form {@code {"deviceId": counter, …}}.
   *
   * <p>Counters must be integral JSON numbers; a floating-point value is accepted only when it is
   * integral (e.g. {@code 42.0}), because some JSON encoders write every number that way.
   *
   * @param maxEntries the most entries allowed (256 for entity clocks)
   * @throws InvalidClockException with a message suitable for the client
   */
  public static VectorClock fromJson(JsonObject json, int maxEntries) {
    if (maxEntries < 0) {
      throw new IllegalArgumentException("maxEntries must not be negative: " + maxEntries);
    }
    if (json == null) {
      throw new InvalidClockException("vectorClock must be a JSON object");
    }
    // Check the size before looking at entries so an oversized clock costs nothing more.
    int size = json.size();
    if (size > maxEntries) {
      throw new InvalidClockException(
          "vectorClock has " + size + " entries; at most " + maxEntries + " allowed");
    }
    LinkedHashMap<String, Long> counters = new LinkedHashMap<>(capacityFor(size));
    // getMap() exposes the raw values; JsonObject's own iterator would wrap nested maps.
    for (Map.Entry<String, Object> e : json.getMap().entrySet()) {
      String key = requireValidKey(e.getKey());
      counters.put(key, counterFromJson(key, e.getValue()));
    }
    return counters.isEmpty() ? EMPTY : new VectorClock(counters);
  }

  /** The wire form, with the entries in this clock's order (zero entries included). */
  public JsonObject toJson() {
    return new JsonObject(new LinkedHashMap<>(counters));
  }

  /** The counter of {@code deviceId}, 0 when absent. */
  public long get(String deviceId) {
    Long value = counters.get(deviceId);
    return value == null ? 0 : value;
  }

  /** Number of entries as stored, zero entries included. */
  public int size() {
    return counters.size();
  }

  /** The entries as an unmodifiable map in this clock's order. */
  public Map<String, Long> asMap() {
    return counters;
  }

  /**
   * Sum of all counters. If a happened before b then {@code a.sum() < b.sum()}, so sorting by sum
   * is a linear extension of causal order (used to apply several states of one entity in order).
   * Saturates at {@link Long#MAX_VALUE}, which needs over a thousand maximal entries.
   */
  public long sum() {
    return sum;
  }

  /**
   * This clock with {@code deviceId}'s counter increased by one (a new entry is appended).
   *
   * @throws InvalidClockException if {@code deviceId} is not a valid id or the counter is already
   *     {@link #MAX_COUNTER}
   */
  public VectorClock increment(String deviceId) {
    String key = requireValidKey(deviceId);
    long current = get(key);
    if (current >= MAX_COUNTER) {
      throw new InvalidClockException(
          "vectorClock counter for '" + describe(key) + "' cannot exceed " + MAX_COUNTER);
    }
    LinkedHashMap<String, Long> next = new LinkedHashMap<>(capacityFor(counters.size() + 1));
    next.putAll(counters);
    next.put(key, current + 1);
    return new VectorClock(next);
  }

  /**
   * The pointwise maximum: the least clock that is AFTER or EQUAL to both. Entries of this clock
   * come first, then the other's new ones, in their order.
   */
  public VectorClock merge(VectorClock other) {
    Objects.requireNonNull(other, "other");
    LinkedHashMap<String, Long> merged =
        new LinkedHashMap<>(capacityFor(counters.size() + other.counters.size()));
    merged.putAll(counters);
    for (Map.Entry<String, Long> e : other.counters.entrySet()) {
      merged.merge(e.getKey(), e.getValue(), Math::max);
    }
    return new VectorClock(merged);
  }

  /**
   * The relation of this clock to {@code other}: AFTER when this dominates it, BEFORE when it is
   * dominated, EQUAL when all counters agree (absent = 0), CONCURRENT otherwise.
   */
  public ClockRelation relationTo(VectorClock other) {
    Objects.requireNonNull(other, "other");
    if (other == this) {
      return ClockRelation.EQUAL;
    }
    boolean thisAhead = false;
    boolean otherAhead = false;
    int sharedKeys = 0;
    for (Map.Entry<String, Long> e : counters.entrySet()) {
      Long theirs = other.counters.get(e.getKey());
      long mine = e.getValue();
      long their = 0;
      if (theirs != null) {
        sharedKeys++;
        their = theirs;
      }
      if (mine > their) {
        thisAhead = true;
      } else if (mine < their) {
        otherAhead = true;
      }
      if (thisAhead && otherAhead) {
        return ClockRelation.CONCURRENT;
      }
    }
    // Only keys that this clock lacks can still change the answer, and only by putting the
    // other ahead; if every key of the other was already visited there is nothing left to see.
    if (!otherAhead && sharedKeys < other.counters.size()) {
      for (Map.Entry<String, Long> e : other.counters.entrySet()) {
        if (e.getValue() > 0 && !counters.containsKey(e.getKey())) {
          otherAhead = true;
          break;
        }
      }
    }
    if (thisAhead) {
      return otherAhead ? ClockRelation.CONCURRENT : ClockRelation.AFTER;
    }
    return otherAhead ? ClockRelation.BEFORE : ClockRelation.EQUAL;
  }

  /** Equal exactly when {@link #relationTo} is EQUAL: zero entries do not matter. */
  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof VectorClock)) {
      return false;
    }
    VectorClock that = (VectorClock) o;
    return hash == that.hash && sum == that.sum && relationTo(that) == ClockRelation.EQUAL;
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public String toString() {
    return "VectorClock" + counters;
  }

  private static long counterFromJson(String key, Object value) {
    if (value instanceof Integer || value instanceof Long
        || value instanceof Short || value instanceof Byte) {
      long v = ((Number) value).longValue();
      if (inRange(v)) {
        return v;
      }
    } else if (value instanceof BigInteger) {
      BigInteger v = (BigInteger) value;
      if (v.signum() >= 0 && v.bitLength() <= 53) {
        return v.longValueExact();
      }
    } else if (value instanceof Double || value instanceof Float) {
      double v = ((Number) value).doubleValue();
      // MAX_COUNTER is exactly representable as a double, so this bound is exact.
      if (v >= 0 && v <= MAX_COUNTER && v == Math.rint(v)) {
        return (long) v;
      }
    } else if (value instanceof BigDecimal) {
      BigDecimal v = (BigDecimal) value;
      // Range first: compareTo is cheap even for huge exponents, unlike integrality checks.
      if (v.signum() >= 0 && v.compareTo(MAX_COUNTER_DECIMAL) <= 0
          && v.stripTrailingZeros().scale() <= 0) {
        return v.longValueExact();
      }
    }
    // Strings, booleans, null, nested values and anything out of range.
    throw invalidCounter(key);
  }

  private static boolean inRange(long value) {
    return value >= 0 && value <= MAX_COUNTER;
  }

  private static String requireValidKey(String key) {
    if (!Ids.isValid(key)) {
      throw new InvalidClockException(
          "vectorClock key " + (key == null ? "null" : "'" + describe(key) + "'")
              + " is not a valid id");
    }
    return key;
  }

  private static InvalidClockException invalidCounter(String key) {
    return new InvalidClockException("vectorClock counter for '" + describe(key)
        + "' must be an integer between 0 and " + MAX_COUNTER);
  }

  /** Keeps error messages short when a client sends a huge key. */
  private static String describe(String key) {
    return key.length() <= MAX_KEY_IN_MESSAGE ? key : key.substring(0, MAX_KEY_IN_MESSAGE) + "…";
  }

  private static long saturatedAdd(long a, long b) {
    long r = a + b;
    return r < a ? Long.MAX_VALUE : r; // both operands are non-negative
  }

  private static int capacityFor(int entries) {
    return (int) Math.min(Integer.MAX_VALUE, entries * 4L / 3 + 1);
  }
}
