package io.syncgateway.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * When each fault of a chaos run is active, in milliseconds from the start of the traffic: a calm
 * baseline first, then one slot per fault, each fault active for the first part of its slot and
 * calm for the rest, so that recovery shows before the next fault. Every request is counted in the
 * window it started in: {@link #BASELINE}, a fault's name while it is active, {@link #CALM} between
 * faults, and {@link #RECOVERY} after the traffic (the recovery wait and the final audit).
 */
final class ChaosSchedule {
  static final String BASELINE = "baseline";
  static final String CALM = "calm";
  static final String RECOVERY = "recovery";
  /** The longest baseline, and the shortest time a fault is active. */
  private static final long BASELINE_MS = 5_000;
  private static final long MIN_ACTIVE_MS = 1_000;

  /** A fault, planned to be active from {@code startMs} to {@code endMs}. */
  record Window(String fault, long startMs, long endMs) {
    boolean contains(long ms) {
      return ms >= startMs && ms < endMs;
    }
  }

  private final long totalMs;
  private final List<Window> windows;

  private ChaosSchedule(long totalMs, List<Window> windows) {
    this.totalMs = totalMs;
    this.windows = List.copyOf(windows);
  }

  /**
   * {@code seconds} of traffic: a baseline of at most 5 s (an equal share when the run is short), then
   * a slot per fault; a fault is active for 60 % of its slot, a database stall for {@code stallSeconds}
   * (at most the slot less a second).
   */
  static ChaosSchedule plan(int seconds, List<String> faults, int stallSeconds) {
    long total = seconds * 1000L;
    if (faults.isEmpty()) {
      return new ChaosSchedule(total, List.of());
    }
    long baseline = Math.min(BASELINE_MS, total / (faults.size() + 1));
    long slot = (total - baseline) / faults.size();
    List<Window> windows = new ArrayList<>();
    for (int i = 0; i < faults.size(); i++) {
      String fault = faults.get(i);
      long start = baseline + i * slot;
      long active = fault.equals("db-stall") ? Math.min(stallSeconds * 1000L, slot - MIN_ACTIVE_MS)
          : slot * 6 / 10;
      windows.add(new Window(fault, start, start + Math.max(MIN_ACTIVE_MS, active)));
    }
    return new ChaosSchedule(total, windows);
  }

  long totalMs() {
    return totalMs;
  }

  List<Window> windows() {
    return windows;
  }

  /** Every window name a request can be counted in, in time order. */
  List<String> windowNames() {
    List<String> names = new ArrayList<>(List.of(BASELINE));
    windows.forEach(window -> names.add(window.fault()));
    names.add(CALM);
    names.add(RECOVERY);
    return names;
  }

  /** The window a request started at {@code ms} (from the start of the traffic) is counted in. */
  String windowAt(long ms) {
    if (ms >= totalMs) {
      return RECOVERY;
    }
    for (Window window : windows) {
      if (window.contains(ms)) {
        return window.fault();
      }
    }
    return windows.isEmpty() || ms < windows.get(0).startMs() ? BASELINE : CALM;
  }

  /** A quiet push that succeeded: sent and answered, in ms from the start of the traffic. */
  record Success(long sentMs, long answeredMs) {}

  /**
   * Time to recover from a fault that ended at {@code endedMs}: from then to the answer of the first
   * successful quiet push sent at or after that moment; null if there was none.
   */
  static Long recoveryMillis(Collection<Success> successes, long endedMs) {
    return successes.stream().filter(success -> success.sentMs() >= endedMs)
        .mapToLong(success -> success.answeredMs() - endedMs).min().stream().boxed().findFirst().orElse(null);
  }
}
