package io.syncgateway.memory;

/**
 * Bytes of a {@link MemoryBudget} held by one piece of work. It may grow (without waiting) while the
 * work finds out how much it needs, shrink when part of it becomes garbage, and is released once;
 * releasing twice is harmless, so every path of the work may release it.
 */
public final class Reservation {
  private final MemoryBudget budget;
  long bytes; // guarded by budget
  boolean released; // guarded by budget

  Reservation(MemoryBudget budget, long bytes) {
    this.budget = budget;
    this.bytes = bytes;
  }

  public long bytes() {
    synchronized (budget) {
      return bytes;
    }
  }

  /** Takes {@code more} bytes now if the budget has them; false (and nothing taken) if not. */
  public boolean grow(long more) {
    return more <= 0 || budget.grow(this, more);
  }

  /** Keeps at most {@code bytes}, giving the rest back. */
  public void shrinkTo(long bytes) {
    budget.shrink(this, bytes, false);
  }

  public void release() {
    budget.shrink(this, 0, true);
  }
}
