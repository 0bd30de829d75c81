/** The environment's hooks the triggers use; a browser's window and document by default. */
export interface TriggerEnvironment {
  addEventListener?(type: string, listener: () => void): void;
  removeEventListener?(type: string, listener: () => void): void;
  document?: { visibilityState?: string; addEventListener(type: string, l: () => void): void;
    removeEventListener(type: string, l: () => void): void };
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  setInterval(callback: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

/**
 * When to sync: at start, when the browser comes back online, when the page becomes visible or
 * gets focus, every {@code periodicMs}, {@code debounceMs} after the last of a burst of local edits,
 * and on demand. Every trigger calls {@code sync}, which runs one cycle at a time and coalesces.
 */
export class SyncTriggers {
  private periodic: unknown;
  private debounce: unknown;
  private started = false;
  private readonly onOnline = () => this.sync('online');
  private readonly onOffline = () => this.connectivity(false);
  private readonly onVisible = () => {
    if (this.env.document?.visibilityState !== 'hidden') this.sync('visible');
  };
  private readonly onFocus = () => this.sync('focus');

  constructor(private readonly sync: (reason: string) => void, private readonly connectivity: (online: boolean) => void,
      private readonly periodicMs: number, private readonly debounceMs: number,
      private readonly env: TriggerEnvironment) {}

  start(): void {
    if (this.started) return;
    this.started = true;
    this.env.addEventListener?.('online', this.onOnline);
    this.env.addEventListener?.('offline', this.onOffline);
    this.env.addEventListener?.('focus', this.onFocus);
    this.env.document?.addEventListener('visibilitychange', this.onVisible);
    if (this.periodicMs > 0) {
      this.periodic = this.env.setInterval(() => this.sync('periodic'), this.periodicMs);
    }
    this.sync('start');
  }

  stop(): void {
    this.started = false;
    this.env.removeEventListener?.('online', this.onOnline);
    this.env.removeEventListener?.('offline', this.onOffline);
    this.env.removeEventListener?.('focus', this.onFocus);
    this.env.document?.removeEventListener('visibilitychange', this.onVisible);
    this.env.clearInterval(this.periodic);
    this.env.clearTimeout(this.debounce);
  }

  /** A local edit: sync once the burst is over, not on every keystroke. */
  localChange(): void {
    if (!this.started) return;
    this.env.clearTimeout(this.debounce);
    this.debounce = this.env.setTimeout(() => this.sync('debounce'), this.debounceMs);
  }
}
