/**
 * Stops hammering a gateway that keeps failing: after {@code threshold} consecutive transient
 * failures, requests fail fast for {@code resetMs}; then one trial request decides (half-open).
 */
export class CircuitBreaker {
  private failures = 0;
  private openedAt = 0;
  private current: 'closed' | 'open' | 'half-open' = 'closed';

  constructor(private readonly now: () => number, private readonly threshold = 5, private readonly resetMs = 30_000) {}

  allowRequest(): boolean {
    if (this.current === 'open' && this.now() - this.openedAt >= this.resetMs) {
      this.current = 'half-open';
      return true;
    }
    return this.current !== 'open';
  }

  recordSuccess(): void {
    this.failures = 0;
    this.current = 'closed';
  }

  recordFailure(): void {
    this.failures++;
    if (this.current === 'half-open' || this.failures >= this.threshold) {
      this.current = 'open';
      this.openedAt = this.now();
    }
  }

  get state(): 'closed' | 'open' | 'half-open' {
    return this.current;
  }
}
