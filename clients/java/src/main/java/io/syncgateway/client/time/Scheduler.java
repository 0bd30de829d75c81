package io.syncgateway.client.time;

/** Time and timers for the client, injectable so tests of backoff and triggers never sleep. */
public interface Scheduler {

  /** Milliseconds since the epoch. */
  long now();

  /** Runs {@code task} once after {@code delayMs}; the returned handle cancels it. */
  Cancellable schedule(long delayMs, Runnable task);

  /** A scheduled task that may still be cancelled. */
  interface Cancellable {
    void cancel();
  }
}
