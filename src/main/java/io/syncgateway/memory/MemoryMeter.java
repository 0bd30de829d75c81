package io.syncgateway.memory;

import java.util.function.LongPredicate;

/**
 * Counts the heap a piece of work holds while it allocates step by step (inflating a body, building
 * its JSON tree), growing its {@link Reservation} ahead of it in steps; when the budget cannot grow,
 * the work stops with 503 {@code overloaded} before it allocates what would not fit.
 */
public final class MemoryMeter {
  /** Grow the reservation by at least this much at a time: a budget call per node would cost more than the parse. */
  static final long STEP_BYTES = 256 * 1024;

  private final LongPredicate grow;
  private long live;
  private long covered;

  private MemoryMeter(LongPredicate grow, long covered) {
    this.grow = grow;
    this.covered = covered;
  }

  /** A meter backed by {@code reservation}: what it already holds counts as covered. */
  public static MemoryMeter of(Reservation reservation) {
    return new MemoryMeter(reservation::grow, reservation.bytes());
  }

  /** Counts without a budget (tests, tools). */
  public static MemoryMeter unlimited() {
    return new MemoryMeter(bytes -> true, 0);
  }

  /** {@code bytes} more are about to be held. */
  public void charge(long bytes) {
    live += bytes;
    if (live > covered) {
      long more = Math.max(live - covered, STEP_BYTES);
      if (!grow.test(more)) {
        throw MemoryBudget.overloaded();
      }
      covered += more;
    }
  }

  /** {@code bytes} held so far are garbage now. */
  public void credit(long bytes) {
    live -= bytes;
  }

  /** What the work holds now. */
  public long live() {
    return live;
  }
}
