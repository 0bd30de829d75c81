import { GatewayApi, GatewayError, type TokenSource } from './api.js';
import { CircuitBreaker } from './breaker.js';
import { resolveConflict } from './conflict-resolutions.js';
import { Emitter, type Listener, type SyncEvents, type SyncResult, type SyncStatus } from './events.js';
import { LiveUpdates } from './live.js';
import { LocalChanges } from './local-changes.js';
import type { Conflict, EntityType, FailedItem, Fields, LocalEntity, QueueItem } from './model.js';
import { pullPhase, retentionDeadline } from './pull.js';
import { pushPhase } from './push.js';
import { DEFAULT_QUEUE_POLICY, discard, failedItems, pendingItems, requeue, type QueuePolicy } from './queue.js';
import { fieldMerge, keepLocal, keepRemote, lastWriterWins, type Resolution, type Resolver } from './resolvers.js';
import { LocalStore, allConflicts, entitiesOf, getEntity, putEntity, removeEntity } from './store.js';
import { SyncContext } from './sync-context.js';
import { SyncTriggers, type TriggerEnvironment } from './triggers.js';

export interface SyncClientOptions {
  /** The gateway's base URL, e.g. "https://sync.example.com". */
  url: string;
  /** A bearer token, or a function that returns a current one (called before every request). */
  token: TokenSource;
  /** This device's id (1–128 of A–Z a–z 0–9 . _ ~ : -); one per browser profile, or per tab for demos. */
  deviceId: string;
  /** IndexedDB database name; default "sync-client:<deviceId>". */
  dbName?: string;
  /** Sync every this many ms while online (default 30 000; 0 = never). */
  periodicMs?: number;
  /** Sync this long after the last of a burst of local edits (default 1 000). */
  debounceMs?: number;
  /** Pull page size (default 500). */
  pullLimit?: number;
  /** Live updates over the events stream when the platform has EventSource (default true). */
  live?: boolean;
  /** Start the triggers at once (default true); otherwise call start(). */
  autoStart?: boolean;
  queue?: Partial<QueuePolicy>;
  breaker?: { threshold?: number; resetMs?: number };
  /** Warn ('retention-warning') when less than this share of the retention period is left (default 0.25). */
  retentionWarningShare?: number;
  /** For tests: time, fetch and the trigger environment. */
  now?: () => number;
  fetch?: typeof fetch;
  environment?: TriggerEnvironment;
}

export type ResolverName = 'local' | 'remote' | 'merge' | 'lww';
const NAMED_RESOLVERS: Record<ResolverName, Resolver> = {
  local: keepLocal, remote: keepRemote, merge: fieldMerge(), lww: lastWriterWins,
};

/** An entity as queries return it: its fields at the top level plus id and sync state. */
export type Row = Fields & { id: string; _status: LocalEntity['status']; _server: Fields };

/**
 * A device's local data kept in sync with a gateway. Local writes are immediate and durable
 * (IndexedDB); syncing happens in the background by triggers, by live updates, or on sync().
 */
export class SyncClient {
  private readonly emitter = new Emitter();
  private readonly breaker: CircuitBreaker;
  private readonly ctx: SyncContext;
  private readonly changes: LocalChanges;
  private readonly triggers: SyncTriggers;
  private readonly live: LiveUpdates | undefined;
  private readonly now: () => number;
  private running: Promise<SyncResult> | undefined;
  private followUp: Promise<SyncResult> | undefined;
  private forcedOffline = false;
  private lastSyncAt: number | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  private started = false;

  private constructor(private readonly store: LocalStore, readonly options: SyncClientOptions) {
    this.now = options.now ?? Date.now;
    const api = new GatewayApi(options.url, options.token, this.now, options.fetch);
    const policy = { ...DEFAULT_QUEUE_POLICY, ...options.queue };
    this.breaker = new CircuitBreaker(this.now, options.breaker?.threshold, options.breaker?.resetMs);
    this.ctx = new SyncContext(store, api, options.deviceId, policy, this.now, this.emitter, options.pullLimit ?? 500);
    this.changes = new LocalChanges(options.deviceId);
    const environment = options.environment ?? (typeof window !== 'undefined' ? browserEnvironment() : timersOnly());
    this.triggers = new SyncTriggers(() => void this.sync(), () => this.statusChanged(),
      options.periodicMs ?? 30_000, options.debounceMs ?? 1_000, environment);
    this.live = options.live === false || !LiveUpdates.available() ? undefined
      : new LiveUpdates(api, options.deviceId, () => void this.sync(), (connected) => {
        this.emitter.emit('live', { connected });
        this.statusChanged();
      });
  }

  static async open(options: SyncClientOptions): Promise<SyncClient> {
    const store = await LocalStore.open(options.dbName ?? `sync-client:${options.deviceId}`);
    const client = new SyncClient(store, options);
    if (options.autoStart !== false) client.start();
    return client;
  }

  get deviceId(): string {
    return this.options.deviceId;
  }

  on<K extends keyof SyncEvents>(event: K, listener: Listener<K>): () => void {
    return this.emitter.on(event, listener);
  }

  /** Starts the triggers (and live updates while online). */
  start(): void {
    this.started = true;
    this.triggers.start();
    if (this.isOnline()) this.live?.start();
  }

  stop(): void {
    this.started = false;
    this.triggers.stop();
    this.live?.stop();
    clearTimeout(this.retryTimer);
  }

  close(): void {
    this.closed = true;
    this.stop();
    this.store.close();
  }

  // ------------------------------------------------------------------ local data

  async create(type: EntityType, fields: Fields, id: string = crypto.randomUUID()): Promise<Row> {
    return this.local(type, id, (tx, now) => this.changes.create(tx, type, id, fields, now));
  }

  async update(type: EntityType, id: string, changes: Fields): Promise<Row> {
    return this.local(type, id, (tx, now) => this.changes.update(tx, type, id, changes, now));
  }

  async remove(type: EntityType, id: string): Promise<Row> {
    return this.local(type, id, (tx, now) => this.changes.remove(tx, type, id, now));
  }

  async get(type: EntityType, id: string): Promise<Row | undefined> {
    const entity = await this.store.read((tx) => getEntity(tx, type, id));
    return entity && !entity.deleted ? rowOf(entity) : undefined;
  }

  /** Live entities of a type, optionally filtered; a comment query by task: query('comment', c => c.taskId === id). */
  async query(type: EntityType, where: (row: Row) => boolean = () => true): Promise<Row[]> {
    const entities = await this.store.read((tx) => entitiesOf(tx, type));
    return entities.filter((entity) => !entity.deleted).map(rowOf).filter(where);
  }

  // ------------------------------------------------------------------ sync

  /**
   * Runs a sync cycle (push, then pull) now. One cycle at a time: calls during a cycle share one
   * follow-up cycle, which starts when the current one ends.
   */
  sync(): Promise<SyncResult> {
    if (!this.running) {
      this.running = this.cycle().finally(() => {
        this.running = undefined;
      });
      return this.running;
    }
    this.followUp ??= this.running.then(() => {
      this.followUp = undefined;
      return this.sync();
    });
    return this.followUp;
  }

  /** A switch for the app (and the demo's offline toggle): while false nothing goes out. */
  setOnline(online: boolean): void {
    this.forcedOffline = !online;
    if (online) {
      this.live?.start();
      void this.sync();
    } else {
      this.live?.stop();
      this.emitter.emit('live', { connected: false });
    }
    this.statusChanged();
  }

  isOnline(): boolean {
    const browserOnline = typeof navigator === 'undefined' || navigator.onLine !== false;
    return !this.forcedOffline && browserOnline;
  }

  async status(): Promise<SyncStatus> {
    const [pending, failed, conflicts] = await this.store.read(async (tx) =>
      [(await pendingItems(tx)).length, (await failedItems(tx)).length, (await allConflicts(tx)).length]);
    return { online: this.isOnline(), syncing: this.running !== undefined, pending, failed, conflicts,
      live: this.live?.connected ?? false, breaker: this.breaker.state, lastSyncAt: this.lastSyncAt,
      retentionDeadline: await retentionDeadline(this.ctx) };
  }

  pending(): Promise<QueueItem[]> {
    return this.store.read(pendingItems);
  }

  failed(): Promise<FailedItem[]> {
    return this.store.read(failedItems);
  }

  /** Puts a failed change back in the queue and syncs. */
  async retryFailed(seq: number): Promise<void> {
    await this.ctx.write(async (tx) => {
      const failed = await requeue(tx, seq, this.now());
      const entity = failed && (await getEntity(tx, failed.type, failed.id));
      if (entity?.status === 'failed') await putEntity(tx, { ...entity, status: 'pending' });
    });
    this.statusChanged();
    void this.sync();
  }

  /**
   * Gives up a failed change for good: the entity returns to the last state the server confirmed
   * (or disappears if the server never had it). Never happens without this call.
   */
  async discardFailed(seq: number): Promise<void> {
    await this.ctx.write(async (tx, events) => {
      const failed = await discard(tx, seq);
      if (!failed) return;
      const entity = await getEntity(tx, failed.type, failed.id);
      if (!entity || entity.status !== 'failed') return;
      if (entity.base === null || !entity.server.vectorClock) {
        await removeEntity(tx, failed.type, failed.id);
      } else {
        await putEntity(tx, { ...entity, fields: { ...entity.base }, deleted: false, status: 'synced',
          clock: { ...(entity.server.vectorClock as Record<string, number>) } });
      }
      events.push({ event: 'change', payload: { type: failed.type, ids: [failed.id], origin: 'local' } });
    });
    this.statusChanged();
  }

  // ------------------------------------------------------------------ conflicts

  conflicts(): Promise<Conflict[]> {
    return this.store.read(allConflicts);
  }

  /**
   * Settles a conflict: by a named resolver ('local', 'remote', 'merge' = field merge keeping the
   * remote where both changed, 'lww' = last writer wins), by a resolver function, or by an
   * explicit resolution ({deleted: false, fields} or {deleted: true}). The outcome is pushed.
   */
  async resolve(type: EntityType, id: string, how: ResolverName | Resolver | Resolution): Promise<Row> {
    const choose = typeof how === 'string' ? NAMED_RESOLVERS[how] : how;
    const resolved = await this.ctx.write((tx, events) =>
      resolveConflict(tx, this.changes, type, id, choose, this.now(), events));
    this.statusChanged();
    this.triggers.localChange();
    return rowOf(resolved);
  }

  // ------------------------------------------------------------------ internals

  private async local(type: EntityType, id: string,
      write: (tx: Parameters<Parameters<LocalStore['write']>[0]>[0], now: number) => Promise<LocalEntity>): Promise<Row> {
    const entity = await this.ctx.write((tx) => write(tx, this.now()));
    this.emitter.emit('change', { type, ids: [id], origin: 'local' });
    this.statusChanged();
    this.triggers.localChange();
    return rowOf(entity);
  }

  private async cycle(): Promise<SyncResult> {
    const counts = { pushed: 0, conflicts: 0, failed: 0 };
    if (this.closed) return { ...counts, pulled: 0, ok: false, skipped: 'offline' };
    if (!this.isOnline()) return this.finish({ ...counts, pulled: 0, ok: false, skipped: 'offline' });
    if (!this.breaker.allowRequest()) return this.finish({ ...counts, pulled: 0, ok: false, skipped: 'breaker-open' });
    this.statusChanged();
    let pulled = 0;
    try {
      await this.warnIfRetentionNear();
      await pushPhase(this.ctx, counts);
      pulled = await pullPhase(this.ctx);
      this.breaker.recordSuccess();
      this.lastSyncAt = this.now();
      return this.finish({ ...counts, pulled, ok: true });
    } catch (error) {
      if (!(error instanceof GatewayError) || error.transient) this.breaker.recordFailure();
      const gatewayError = error instanceof GatewayError ? error : undefined;
      this.emitter.emit('error', { message: (error as Error).message, status: gatewayError?.status,
        code: gatewayError?.code });
      return this.finish({ ...counts, pulled, ok: false });
    }
  }

  private finish(result: SyncResult): SyncResult {
    this.emitter.emit('sync', result);
    // After this cycle's promise settles, so that status() no longer counts it as running.
    queueMicrotask(() => this.statusChanged());
    void this.scheduleRetry();
    return result;
  }

  /** Wakes up when the earliest backoff ends, so a retry does not wait for the periodic timer. */
  private async scheduleRetry(): Promise<void> {
    if (this.closed || !this.started) return;
    const next = Math.min(...(await this.pending()).map((item) => item.nextAttemptAt));
    clearTimeout(this.retryTimer);
    if (Number.isFinite(next) && next > this.now()) {
      this.retryTimer = setTimeout(() => void this.sync(), Math.min(next - this.now(), 2 ** 31 - 1));
    }
  }

  private async warnIfRetentionNear(): Promise<void> {
    const deadline = await retentionDeadline(this.ctx);
    const retention = await this.store.read(async (tx) => (await tx.objectStore('meta').get('retentionMs')) as number);
    if (deadline === null || !retention) return;
    const remainingMs = deadline - this.now();
    if (remainingMs < retention * (this.options.retentionWarningShare ?? 0.25)) {
      this.emitter.emit('retention-warning', { deadline, remainingMs });
    }
  }

  private statusChanged(): void {
    if (this.closed) return;
    this.status().then((status) => this.emitter.emit('status', status), () => undefined);
  }
}

function rowOf(entity: LocalEntity): Row {
  return { ...entity.fields, id: entity.id, _status: entity.status, _server: entity.server };
}

function browserEnvironment(): TriggerEnvironment {
  return {
    addEventListener: (type, listener) => window.addEventListener(type, listener),
    removeEventListener: (type, listener) => window.removeEventListener(type, listener),
    document: typeof document !== 'undefined' ? document : undefined,
    setTimeout: (callback, ms) => setTimeout(callback, ms),
    clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
    setInterval: (callback, ms) => setInterval(callback, ms),
    clearInterval: (handle) => clearInterval(handle as ReturnType<typeof setInterval>),
  };
}

function timersOnly(): TriggerEnvironment {
  return { ...browserEnvironment(), addEventListener: undefined, removeEventListener: undefined, document: undefined };
}

/** Opens (or reopens, after a reload) the device's local store and starts syncing. */
export function createSyncClient(options: SyncClientOptions): Promise<SyncClient> {
  return SyncClient.open(options);
}
