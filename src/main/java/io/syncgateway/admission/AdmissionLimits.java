package io.syncgateway.admission;

/**
 * How much database work one process takes on: {@code concurrency} operations at once, and the
 * wait-queue depths at which work is shed: priority 4–5 from {@code shedLowAt} waiting, priority 3
 * from {@code shedMediumAt}, priority 1–2 only from {@code queueLimit}. A waiter is shed after
 * {@code maxWaitMs} (0: no limit).
 */
public record AdmissionLimits(int concurrency, int shedLowAt, int shedMediumAt, int queueLimit, long maxWaitMs) {

  public AdmissionLimits {
    if (concurrency < 1) {
      throw new IllegalArgumentException("the admission concurrency must be at least 1, got " + concurrency);
    }
    if (shedLowAt < 0 || shedLowAt > shedMediumAt || shedMediumAt > queueLimit) {
      throw new IllegalArgumentException("admission queue depths must satisfy 0 <= shedLowAt <= shedMediumAt"
          + " <= queueLimit, got " + shedLowAt + ", " + shedMediumAt + ", " + queueLimit);
    }
    if (maxWaitMs < 0) {
      throw new IllegalArgumentException("the admission wait limit must not be negative, got " + maxWaitMs);
    }
  }

  /** The same queue limit for every priority: for work without priorities (reads). */
  public static AdmissionLimits uniform(int concurrency, int queueLimit, long maxWaitMs) {
    return new AdmissionLimits(concurrency, queueLimit, queueLimit, queueLimit, maxWaitMs);
  }

  /** The number of waiters at which a newcomer of this priority is shed. */
  public int shedDepth(int priority) {
    if (priority >= 4) {
      return shedLowAt;
    }
    return priority == 3 ? shedMediumAt : queueLimit;
  }
}
