package io.syncgateway.client;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.function.ToLongFunction;

/** Keeps the last 100 sync results and their averages. */
public final class SyncMonitor {
  public static final int CAPACITY = 100;

  private final Deque<SyncResult> results = new ArrayDeque<>();

  public synchronized void record(SyncResult result) {
    if (results.size() == CAPACITY) {
      results.removeFirst();
    }
    results.addLast(result);
  }

  /** Oldest first. */
  public synchronized List<SyncResult> results() {
    return List.copyOf(results);
  }

  public synchronized double averageDurationMs() {
    return average(SyncResult::durationMs);
  }

  public synchronized double averagePushed() {
    return average(SyncResult::pushed);
  }

  public synchronized double averagePulled() {
    return average(SyncResult::pulled);
  }

  public synchronized double averageConflicts() {
    return average(SyncResult::conflicts);
  }

  public synchronized double averageBytes() {
    return average(r -> r.bytesSent() + r.bytesReceived());
  }

  public synchronized double successRate() {
    return average(r -> r.succeeded() ? 1 : 0);
  }

  private double average(ToLongFunction<SyncResult> value) {
    return results.stream().mapToLong(value).average().orElse(0);
  }
}
