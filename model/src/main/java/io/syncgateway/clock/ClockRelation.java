package io.syncgateway.clock;

/** How one vector clock relates causally to another (read as "this is ... other"). */
public enum ClockRelation {
  /** Both clocks have the same counters (absent entries count as 0). */
  EQUAL,
  /** This clock is strictly dominated by the other: the other causally follows it. */
  BEFORE,
  /** This clock strictly dominates the other: it causally follows it. */
  AFTER,
  /** Neither dominates: the histories diverged. */
  CONCURRENT
}
