import type { GatewayApi } from './api.js';
import type { Emitter, PendingEvent } from './events.js';
import { deviceCounter } from './local-changes.js';
import type { QueuePolicy } from './queue.js';
import type { LocalStore, Tx } from './store.js';

/** What the sync phases share: the store, the gateway, the device and the time. */
export class SyncContext {
  constructor(readonly store: LocalStore, readonly api: GatewayApi, readonly deviceId: string,
      readonly policy: QueuePolicy, readonly now: () => number, readonly emitter: Emitter,
      readonly pullLimit: number) {}

  newId(): string {
    return crypto.randomUUID();
  }

  deviceCounter(): Promise<number> {
    return this.store.read(deviceCounter);
  }

  /** One transaction; the events it gathered are emitted once it committed (never for a rolled-back one). */
  async write<T>(work: (tx: Tx, events: PendingEvent[]) => Promise<T>): Promise<T> {
    const events: PendingEvent[] = [];
    const result = await this.store.write((tx) => work(tx, events));
    for (const { event, payload } of events) {
      this.emitter.emit(event, payload as never);
    }
    return result;
  }
}
