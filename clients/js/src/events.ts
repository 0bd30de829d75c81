import type { Conflict, EntityType, FailedItem } from './model.js';

/** What the client tells the app. */
export interface SyncEvents {
  /** Entities changed locally (an edit here) or remotely (a pull, a resolution, a cascade). */
  change: { type: EntityType; ids: string[]; origin: 'local' | 'remote' };
  /** Counters and states for a status bar; sent whenever one of them may have changed. */
  status: SyncStatus;
  /** A concurrent change was found: the entity waits for {@code resolve()}. */
  conflict: Conflict;
  'conflict-resolved': { type: EntityType; id: string; deleted: boolean };
  /** A change moved to the failed queue: it waits for {@code retryFailed()} or {@code discardFailed()}. */
  failed: FailedItem;
  /** The cursor expired (410): local synced copies were dropped and everything pulled again; unpushed changes kept. */
  resync: { reason: string };
  /** The device has not pulled for most of the server's retention period: sync soon or face a full resync. */
  'retention-warning': { deadline: number; remainingMs: number };
  /** A sync cycle ended. */
  sync: SyncResult;
  /** A sync cycle failed (network, gateway, token); the client retries by its triggers. */
  error: { message: string; status?: number; code?: string };
  /** Live updates connected or lost. */
  live: { connected: boolean };
}

export interface SyncStatus {
  online: boolean;
  syncing: boolean;
  pending: number;
  failed: number;
  conflicts: number;
  live: boolean;
  breaker: 'closed' | 'open' | 'half-open';
  lastSyncAt: number | null;
  /** When the cursor stops being valid if the device never pulls again (null while unknown). */
  retentionDeadline: number | null;
}

export interface SyncResult {
  pushed: number;
  pulled: number;
  conflicts: number;
  failed: number;
  ok: boolean;
  skipped?: 'offline' | 'breaker-open';
}

export type Listener<K extends keyof SyncEvents> = (payload: SyncEvents[K]) => void;

/** A tiny typed event emitter; a throwing listener never breaks the client. */
export class Emitter {
  private readonly listeners = new Map<keyof SyncEvents, Set<Listener<any>>>();

  on<K extends keyof SyncEvents>(event: K, listener: Listener<K>): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener);
    return () => set!.delete(listener);
  }

  emit<K extends keyof SyncEvents>(event: K, payload: SyncEvents[K]): void {
    for (const listener of this.listeners.get(event) ?? []) {
      try {
        listener(payload);
      } catch (error) {
        console.error(`sync-client: a '${String(event)}' listener failed`, error);
      }
    }
  }
}

/** Events gathered inside a transaction, emitted only once it committed. */
export type PendingEvent = { [K in keyof SyncEvents]: { event: K; payload: SyncEvents[K] } }[keyof SyncEvents];
