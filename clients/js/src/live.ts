import type { GatewayApi } from './api.js';

const MAX_RECONNECT_MS = 30_000;

/**
 * Live updates (PROTOCOL §9): an EventSource on /api/sync/events whose "changes" events make the
 * client pull at once instead of waiting for its timer. EventSource cannot send headers, so the
 * token travels as access_token (the gateway never logs it). On any error the stream is closed and
 * opened again with backoff and a fresh token; every (re)connection pulls once, since events may
 * have been missed in between.
 */
export class LiveUpdates {
  private source: EventSource | undefined;
  private reconnect: ReturnType<typeof setTimeout> | undefined;
  private attempts = 0;
  private running = false;

  constructor(private readonly api: GatewayApi, private readonly deviceId: string,
      private readonly onChanges: () => void, private readonly onState: (connected: boolean) => void) {}

  static available(): boolean {
    return typeof EventSource !== 'undefined';
  }

  start(): void {
    if (this.running || !LiveUpdates.available()) return;
    this.running = true;
    void this.connect();
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.reconnect);
    this.close();
  }

  get connected(): boolean {
    return this.source?.readyState === 1;
  }

  private async connect(): Promise<void> {
    if (!this.running) return;
    let url: string;
    try {
      url = this.api.url('api/sync/events', { deviceId: this.deviceId, access_token: await this.api.bearer() });
    } catch {
      this.retry();
      return;
    }
    if (!this.running) return;
    const source = new EventSource(url);
    this.source = source;
    source.onopen = () => {
      this.attempts = 0;
      this.onState(true);
      this.onChanges();
    };
    source.addEventListener('changes', () => this.onChanges());
    source.addEventListener('reauthenticate', () => this.restart());
    source.onerror = () => this.restart();
  }

  private restart(): void {
    this.close();
    this.onState(false);
    this.retry();
  }

  private retry(): void {
    if (!this.running) return;
    const delay = Math.min(1_000 * 2 ** this.attempts, MAX_RECONNECT_MS);
    this.attempts++;
    clearTimeout(this.reconnect);
    this.reconnect = setTimeout(() => void this.connect(), delay);
  }

  private close(): void {
    if (this.source) {
      this.source.onopen = null;
      this.source.onerror = null;
      this.source.close();
      this.source = undefined;
    }
  }
}
