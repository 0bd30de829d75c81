import type { EntityType, FailedItem, LocalEntity, Operation, QueueItem } from './model.js';
import { wireOf } from './model.js';
import { priorityOf } from './priorities.js';
import type { Tx } from './store.js';

export interface QueuePolicy {
  /** Failed attempts of one item before it moves to the failed queue. */
  maxRetries: number;
  backoffBaseMs: number;
  backoffCapMs: number;
}

export const DEFAULT_QUEUE_POLICY: QueuePolicy = { maxRetries: 8, backoffBaseMs: 1_000, backoffCapMs: 5 * 60_000 };

/** Push order: most urgent priority first, then oldest, then first queued. */
export function pushOrder(a: QueueItem, b: QueueItem): number {
  return a.priority - b.priority || a.createdAt - b.createdAt || (a.seq ?? 0) - (b.seq ?? 0);
}

/** The delay before retry number {@code retryCount}: base × 2^(retryCount − 1), capped; never below Retry-After. */
export function backoffMs(policy: QueuePolicy, retryCount: number, retryAfterMs = 0): number {
  const exponential = Math.min(policy.backoffBaseMs * 2 ** Math.max(0, retryCount - 1), policy.backoffCapMs);
  return Math.max(exponential, retryAfterMs);
}

/** A create stays a create until deleted; a delete wins over earlier changes; a later write undoes a delete. */
function combine(earlier: Operation, later: Operation): Operation {
  if (later === 'delete') return 'delete';
  return earlier === 'create' ? 'create' : later;
}

export async function pendingOf(tx: Tx, type: EntityType, id: string): Promise<QueueItem | undefined> {
  return (await tx.objectStore('queue').index('byEntity').getAll([type, id]))[0];
}

/**
 * Queues the entity's current state. A pending item of the same entity takes the new payload and
 * keeps its age, the more urgent priority and the union of changed fields; its batch id is dropped,
 * since the payload is no longer what that batch carried.
 */
export async function enqueue(tx: Tx, entity: LocalEntity, operation: Operation, changedFields: readonly string[],
    now: number): Promise<QueueItem> {
  const priority = priorityOf(entity.type, operation, changedFields);
  const old = await pendingOf(tx, entity.type, entity.id);
  const item: QueueItem = old
    ? { ...old, operation: combine(old.operation, operation), priority: Math.min(old.priority, priority),
        changedFields: [...new Set([...old.changedFields, ...changedFields])], payload: wireOf(entity),
        clock: { ...entity.clock }, batchId: null }
    : { type: entity.type, id: entity.id, operation, priority, changedFields: [...changedFields],
        payload: wireOf(entity), clock: { ...entity.clock }, createdAt: now, retryCount: 0, nextAttemptAt: now,
        lastError: null, batchId: null };
  const seq = await tx.objectStore('queue').put(item);
  return { ...item, seq };
}

/** Pending items whose backoff has elapsed, in push order. */
export async function readyItems(tx: Tx, now: number): Promise<QueueItem[]> {
  return (await tx.objectStore('queue').getAll()).filter((item) => item.nextAttemptAt <= now).sort(pushOrder);
}

export async function pendingItems(tx: Tx): Promise<QueueItem[]> {
  return (await tx.objectStore('queue').getAll()).sort(pushOrder);
}

export async function failedItems(tx: Tx): Promise<FailedItem[]> {
  return tx.objectStore('failed').getAll();
}

/** The queued item if it still holds exactly the state that was pushed (a newer edit replaces it). */
export async function stillQueued(tx: Tx, pushed: QueueItem): Promise<QueueItem | undefined> {
  const current = pushed.seq === undefined ? undefined : await tx.objectStore('queue').get(pushed.seq);
  return current && JSON.stringify(current.clock) === JSON.stringify(pushed.clock) ? current : undefined;
}

export async function removeQueued(tx: Tx, item: QueueItem): Promise<void> {
  if (item.seq !== undefined) {
    await tx.objectStore('queue').delete(item.seq);
  }
}

/** Records an attempt for items about to go out in one batch. */
export async function markSent(tx: Tx, items: QueueItem[], batchId: string): Promise<void> {
  for (const item of items) {
    await tx.objectStore('queue').put({ ...item, batchId });
  }
}

/**
 * Counts a failed attempt: the item waits out its backoff (at least {@code retryAfterMs}), or after
 * {@code maxRetries} moves to the failed queue with the error. Returns the failed item if it moved.
 */
export async function retryLater(tx: Tx, policy: QueuePolicy, item: QueueItem, now: number, error: string,
    retryAfterMs = 0): Promise<FailedItem | undefined> {
  const retryCount = item.retryCount + 1;
  if (retryCount > policy.maxRetries) {
    return fail(tx, { ...item, retryCount }, `gave up after ${policy.maxRetries} retries: ${error}`, now);
  }
  await tx.objectStore('queue').put({ ...item, retryCount, lastError: error,
    nextAttemptAt: now + backoffMs(policy, retryCount, retryAfterMs) });
  return undefined;
}

/** Moves the item to the failed queue with the reason: it stays there until retried or discarded. */
export async function fail(tx: Tx, item: QueueItem, reason: string, now: number): Promise<FailedItem> {
  const failed: FailedItem = { ...item, seq: item.seq!, reason, lastError: reason, failedAt: now };
  await tx.objectStore('queue').delete(failed.seq);
  await tx.objectStore('failed').put(failed);
  return failed;
}

/**
 * Puts a failed item back in line, fresh. A newer pending change of the same entity already carries
 * a later state, so then the failed one is simply dropped.
 */
export async function requeue(tx: Tx, seq: number, now: number): Promise<FailedItem | undefined> {
  const failed = await tx.objectStore('failed').get(seq);
  if (!failed) return undefined;
  await tx.objectStore('failed').delete(seq);
  if (!(await pendingOf(tx, failed.type, failed.id))) {
    const { reason: _reason, failedAt: _failedAt, ...item } = failed;
    await tx.objectStore('queue').put({ ...item, retryCount: 0, nextAttemptAt: now, lastError: null, batchId: null });
  }
  return failed;
}

/** Drops a failed item for good: only ever on the app's explicit request. */
export async function discard(tx: Tx, seq: number): Promise<FailedItem | undefined> {
  const failed = await tx.objectStore('failed').get(seq);
  if (failed) {
    await tx.objectStore('failed').delete(seq);
  }
  return failed;
}
