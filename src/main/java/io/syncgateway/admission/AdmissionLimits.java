package io.syncgateway.admission;

/**
 * How much database work one process takes on: {@code concurrency} operations at once, at most
 * {@code organizationSlots} of them for one organization, and the depths at which an organization's
 * own wait queue sheds its work: priority 4–5 from {@code shedLowAt} waiting, priority 3 from
 * {@code shedMediumAt}, priority 1–2 only from {@code queueLimit}. {@code queueLimit} also bounds
 * the waiters of all organizations together. A waiter is shed after {@code maxWaitMs} (0: no limit).
 */
public record AdmissionLimits(int concurrency, int organizationSlots, int shedLowAt, int shedMediumAt, int queueLimit,
    long maxWaitMs) {

  public AdmissionLimits {
    if (concurrency < 1) {
      throw new IllegalArgumentException("the admission concurrency must be at least 1, got " + concurrency);
    }
    if (organizationSlots < 1 || organizationSlots > concurrency) {
      throw new IllegalArgumentException("the slots of one organization must be between 1 and the concurrency ("
          + concurrency + "), got " + organizationSlots);
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
  public static AdmissionLimits uniform(int concurrency, int organizationSlots, int queueLimit, long maxWaitMs) {
    return new AdmissionLimits(concurrency, organizationSlots, queueLimit, queueLimit, queueLimit, maxWaitMs);
  }

  /**
   * The slots one organization may hold: {@code percent} of {@code concurrency}, rounded down (so
   * that below 100 % one organization never holds every slot of two or more), at least one.
   */
  public static int share(int concurrency, int percent) {
    if (percent < 1 || percent > 100) {
      throw new IllegalArgumentException("an organization's share of the slots must be 1 to 100 percent, got " + percent);
    }
    return Math.max(1, concurrency * percent / 100);
  }

  /** The number of an organization's own waiters at which a newcomer of this priority is shed. */
  public int shedDepth(int priority) {
    if (priority >= 4) {
      return shedLowAt;
    }
    return priority == 3 ? shedMediumAt : queueLimit;
  }
}
