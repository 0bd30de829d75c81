package io.syncgateway.client.live;

import java.util.function.DoubleSupplier;

/**
 * Delays between attempts: {@code base × 2^attempt}, capped, with "equal jitter" (a random point
 * in the upper half), so devices dropped together by a restart do not reconnect together while
 * each still waits at least half the nominal delay.
 */
public record Backoff(long baseMs, long capMs, DoubleSupplier random) {

  /** The delay before attempt {@code attempt + 1}; {@code attempt} counts from 0. */
  public long delayMs(int attempt) {
    long nominal = nominalMs(attempt);
    return nominal / 2 + (long) (random.getAsDouble() * (nominal - nominal / 2));
  }

  /** The delay without jitter: the most {@link #delayMs} returns. */
  public long nominalMs(int attempt) {
    return Math.min(capMs, baseMs << Math.min(attempt, 30));
  }
}
