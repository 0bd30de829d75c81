package io.syncgateway.client.sync;

import io.syncgateway.client.time.Scheduler;

/**
 * Stops hammering a gateway that keeps failing: after {@code threshold} consecutive transient
 * failures requests fail fast for {@code resetMs}; then one trial request decides (half-open).
 */
public final class ClientCircuitBreaker {
  public enum State { CLOSED, OPEN, HALF_OPEN }

  private final Scheduler scheduler;
  private final int threshold;
  private final long resetMs;
  private int failures;
  private long openedAt;
  private State state = State.CLOSED;

  public ClientCircuitBreaker(Scheduler scheduler, int threshold, long resetMs) {
    this.scheduler = scheduler;
    this.threshold = threshold;
    this.resetMs = resetMs;
  }

  /** Whether a request may go out now. */
  public synchronized boolean allowRequest() {
    if (state == State.OPEN && scheduler.now() - openedAt >= resetMs) {
      state = State.HALF_OPEN;
      return true;
    }
    return state != State.OPEN;
  }

  public synchronized void recordSuccess() {
    failures = 0;
    state = State.CLOSED;
  }

  public synchronized void recordFailure() {
    failures++;
    if (state == State.HALF_OPEN || failures >= threshold) {
      state = State.OPEN;
      openedAt = scheduler.now();
    }
  }

  public synchronized State state() {
    return state;
  }
}
