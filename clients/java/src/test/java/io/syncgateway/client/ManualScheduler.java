package io.syncgateway.client;

import io.syncgateway.client.time.Scheduler;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Test time: starts at a fixed instant and moves only when the test advances it. */
public final class ManualScheduler implements Scheduler {
  private long now;
  private long order;
  private final List<Timer> timers = new ArrayList<>();

  private final class Timer implements Cancellable {
    final long due;
    final long seq = order++;
    final Runnable task;
    boolean cancelled;

    Timer(long due, Runnable task) {
      this.due = due;
      this.task = task;
    }

    @Override
    public void cancel() {
      cancelled = true;
    }
  }

  public ManualScheduler() {
    this(1_700_000_000_000L);
  }

  public ManualScheduler(long start) {
    this.now = start;
  }

  @Override
  public synchronized long now() {
    return now;
  }

  @Override
  public synchronized Cancellable schedule(long delayMs, Runnable task) {
    Timer timer = new Timer(now + delayMs, task);
    timers.add(timer);
    return timer;
  }

  /** Moves time forward, running every timer that falls due on the way, in order. */
  public void advance(long ms) {
    long target;
    synchronized (this) {
      target = now + ms;
    }
    while (true) {
      Timer next;
      synchronized (this) {
        next = timers.stream().filter(t -> !t.cancelled && t.due <= target)
            .min(Comparator.<Timer>comparingLong(t -> t.due).thenComparingLong(t -> t.seq)).orElse(null);
        if (next == null) {
          now = target;
          return;
        }
        timers.remove(next);
        now = next.due;
      }
      next.task.run();
    }
  }

  public synchronized long pendingTimers() {
    return timers.stream().filter(t -> !t.cancelled).count();
  }
}
