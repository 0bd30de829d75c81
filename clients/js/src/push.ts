import { CHECKSUM_ALGORITHM, checksumOf } from './checksum.js';
import type { PendingEvent } from './events.js';
import type { EntityType, Fields, QueueItem } from './model.js';
import { entityTypeOf } from './model.js';
import { GatewayError } from './api.js';
import { markSent, readyItems, removeQueued, retryLater, fail, stillQueued } from './queue.js';
import type { SyncContext } from './sync-context.js';
import { applyRemote, cascadeDelete, remoteOfEntity } from './remote-changes.js';
import { getEntity, putEntity } from './store.js';

export const MAX_BATCH = 100;

export interface PushCounts {
  pushed: number;
  conflicts: number;
  failed: number;
}

/**
 * Pushes ready queue items in batches of at most 100 and settles each item by the server's outcome:
 * applied → synced; conflict → conflict list; superseded → dropped (the pull brings the newer
 * state); rejected → failed queue with the reason, or a later retry when the server says retryable.
 * A batch that fails as a whole is retried later with the same batchId.
 */
export async function pushPhase(ctx: SyncContext, counts: PushCounts): Promise<void> {
  const attempted = new Set<number>();
  for (;;) {
    const batch = await ctx.store.write(async (tx) => {
      const items = (await readyItems(tx, ctx.now())).filter((item) => !attempted.has(item.seq!)).slice(0, MAX_BATCH);
      if (items.length === 0) return undefined;
      const batchId = reusableBatchId(items, await readyItems(tx, Number.MAX_SAFE_INTEGER)) ?? ctx.newId();
      await markSent(tx, items, batchId);
      return { items: items.map((item) => ({ ...item, batchId })), batchId };
    });
    if (!batch) return;
    batch.items.forEach((item) => attempted.add(item.seq!));
    await pushBatch(ctx, batch.items, batch.batchId, counts);
  }
}

/** The batch id of an earlier attempt that carried exactly these items, unchanged. */
function reusableBatchId(items: QueueItem[], queued: QueueItem[]): string | undefined {
  const ids = new Set(items.map((item) => item.batchId));
  const [only] = ids;
  if (ids.size !== 1 || !only) return undefined;
  const members = queued.filter((item) => item.batchId === only);
  return members.length === items.length ? only : undefined;
}

async function envelope(ctx: SyncContext, items: QueueItem[], batchId: string): Promise<Fields> {
  const changes: Partial<Record<EntityType, Fields[]>> = {};
  for (const item of items) {
    const pushItem: Fields = { ...item.payload, operation: item.operation, priority: item.priority,
      changedFields: item.changedFields };
    if (item.operation === 'delete') {
      delete pushItem.changedFields;
    }
    pushItem.checksum = await checksumOf(pushItem);
    (changes[item.type] ??= []).push(pushItem);
  }
  return { deviceId: ctx.deviceId, batchId, vectorClock: { [ctx.deviceId]: await ctx.deviceCounter() },
    timestamp: ctx.now(), checksumAlgorithm: CHECKSUM_ALGORITHM, changes };
}

async function pushBatch(ctx: SyncContext, items: QueueItem[], batchId: string, counts: PushCounts): Promise<void> {
  let response: Fields;
  try {
    response = await ctx.api.push(await envelope(ctx, items, batchId));
  } catch (error) {
    await failedBatch(ctx, items, error, counts);
    throw error;
  }
  await ctx.write(async (tx, events) => {
    const outcomes = (key: string) => byEntity(response[key]);
    const conflicts = outcomes('conflicts');
    const superseded = outcomes('superseded');
    const rejected = outcomes('rejected');
    for (const item of items) {
      const key = `${item.type}:${item.id}`;
      const current = await stillQueued(tx, item);
      if (rejected.has(key)) {
        if (!current) continue;
        const rejection = rejected.get(key)!;
        const reason = `${String(rejection.code)}: ${String(rejection.message ?? '')}`;
        const failed = rejection.retryable === true
          ? await retryLater(tx, ctx.policy, current, ctx.now(), reason)
          : await fail(tx, current, reason, ctx.now());
        if (failed) {
          await markFailed(tx, failed, events);
          counts.failed++;
        }
      } else if (conflicts.has(key)) {
        const conflict = conflicts.get(key)!;
        const serverVersion = { ...(conflict.serverVersion as Fields) };
        serverVersion.vectorClock ??= conflict.serverVectorClock;
        await applyRemote(tx, remoteOfEntity(item.type, serverVersion), ctx.now(), events);
        counts.conflicts++;
      } else if (superseded.has(key)) {
        if (current) await removeQueued(tx, current);
      } else {
        await applied(tx, item, current, events, ctx.now());
        counts.pushed++;
      }
    }
  });
}

async function applied(tx: Parameters<Parameters<SyncContext['write']>[0]>[0], item: QueueItem,
    current: QueueItem | undefined, events: PendingEvent[], now: number): Promise<void> {
  if (current) await removeQueued(tx, current);
  const entity = await getEntity(tx, item.type, item.id);
  if (entity && entity.status === 'pending' && JSON.stringify(entity.clock) === JSON.stringify(item.clock)) {
    await putEntity(tx, { ...entity, status: 'synced', base: { ...entity.fields },
      server: { ...entity.server, vectorClock: { ...entity.clock } } });
  }
  if (item.operation === 'delete' && item.type === 'task') {
    await cascadeDelete(tx, item.id, item.clock, now, events);
  }
}

async function markFailed(tx: Parameters<Parameters<SyncContext['write']>[0]>[0], failed: QueueItem & { seq: number },
    events: PendingEvent[]): Promise<void> {
  const entity = await getEntity(tx, failed.type, failed.id);
  if (entity && JSON.stringify(entity.clock) === JSON.stringify(failed.clock)) {
    await putEntity(tx, { ...entity, status: 'failed' });
  }
  events.push({ event: 'failed', payload: failed as never });
}

/**
 * A batch that failed as a whole. Transient failures (network, 5xx, 429) retry each item after its
 * backoff, never sooner than Retry-After; a refused token or device waits, uncounted, since the
 * items are not at fault; anything else (a malformed batch) fails the items with the reason.
 */
async function failedBatch(ctx: SyncContext, items: QueueItem[], error: unknown, counts: PushCounts): Promise<void> {
  const gatewayError = error instanceof GatewayError ? error : new GatewayError(0, 'network', String(error));
  if (gatewayError.authorization) return;
  await ctx.write(async (tx, events) => {
    for (const item of items) {
      const current = await stillQueued(tx, item);
      if (!current) continue;
      const reason = `${gatewayError.code}: ${gatewayError.message}`;
      const failed = gatewayError.transient
        ? await retryLater(tx, ctx.policy, current, ctx.now(), reason, gatewayError.retryAfterMs)
        : await fail(tx, current, reason, ctx.now());
      if (failed) {
        await markFailed(tx, failed, events);
        counts.failed++;
      }
    }
  });
}

function byEntity(outcomes: unknown): Map<string, Fields> {
  const map = new Map<string, Fields>();
  for (const outcome of Array.isArray(outcomes) ? (outcomes as Fields[]) : []) {
    const type = entityTypeOf(String(outcome.entityType));
    if (type && typeof outcome.entityId === 'string') map.set(`${type}:${outcome.entityId}`, outcome);
  }
  return map;
}
