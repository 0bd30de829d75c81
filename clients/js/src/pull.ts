import { GatewayError, type PullPage } from './api.js';
import { checksumOf } from './checksum.js';
import type { EntityType, Fields } from './model.js';
import { ENTITY_TYPES, PLURAL, entityTypeOf } from './model.js';
import { applyRemote, remoteOfEntity, remoteOfTombstone, type RemoteState } from './remote-changes.js';
import { entitiesOf, getMeta, putMeta, removeEntity, removeMeta } from './store.js';
import type { SyncContext } from './sync-context.js';

export const CURSOR = 'cursor';
export const RETENTION_MS = 'retentionMs';
export const LAST_PULL_AT = 'lastPullAt';
const MAX_PAGES_PER_CYCLE = 10_000;

/**
 * Pulls by cursor until {@code hasMore} is false, applying each page and its cursor in one
 * transaction. A 410 (cursor past the retention horizon) or a cursor the gateway no longer accepts
 * starts over: synced copies are dropped, unpushed changes and conflicts kept, and everything is
 * pulled again. Returns how many entities and tombstones were applied.
 */
export async function pullPhase(ctx: SyncContext): Promise<number> {
  const cursor = (await ctx.store.read((tx) => getMeta<string>(tx, CURSOR))) ?? '0';
  return pages(ctx, cursor, ctx.deviceId, true);
}

async function pages(ctx: SyncContext, since: string, deviceId: string | undefined, mayStartOver: boolean):
    Promise<number> {
  let pulled = 0;
  let cursor = since;
  for (let page = 0; page < MAX_PAGES_PER_CYCLE; page++) {
    let body: PullPage;
    try {
      body = await ctx.api.pull(cursor, deviceId, ctx.pullLimit);
    } catch (error) {
      if (mayStartOver && error instanceof GatewayError && mustStartOver(error, cursor)) {
        return pulled + (await fullResync(ctx, error));
      }
      throw error;
    }
    pulled += await applyPage(ctx, body);
    if (!body.hasMore) return pulled;
    cursor = body.cursor;
  }
  throw new Error('pull did not finish');
}

function mustStartOver(error: GatewayError, since: string): boolean {
  return error.status === 410 || (error.status === 400 && error.code === 'invalid_cursor' && since !== '0');
}

async function fullResync(ctx: SyncContext, cause: GatewayError): Promise<number> {
  await ctx.write(async (tx, events) => {
    for (const type of ENTITY_TYPES) {
      for (const entity of await entitiesOf(tx, type)) {
        if (entity.status === 'synced') await removeEntity(tx, type, entity.id);
      }
    }
    await removeMeta(tx, CURSOR);
    events.push({ event: 'resync', payload: { reason: `${cause.code}: ${cause.message}` } });
  });
  // From the beginning, own writes included: the dropped copies of them must come back.
  return pages(ctx, '0', undefined, false);
}

/** Checks every checksum first (Web Crypto is asynchronous, so never inside the transaction). */
async function remoteStates(body: PullPage): Promise<RemoteState[]> {
  const states: RemoteState[] = [];
  for (const type of ENTITY_TYPES) {
    for (const entity of (body[PLURAL[type] as keyof PullPage] as Fields[] | undefined) ?? []) {
      if (typeof entity.checksum === 'string' && entity.checksum !== (await checksumOf(entity))) {
        throw new Error(`checksum mismatch on pulled ${type} ${String(entity.id)}`);
      }
      states.push(remoteOfEntity(type, entity));
    }
  }
  for (const tombstone of body.tombstones ?? []) {
    const type = entityTypeOf(String(tombstone.entityType));
    if (type) states.push(remoteOfTombstone(type, tombstone));
  }
  return states;
}

async function applyPage(ctx: SyncContext, body: PullPage): Promise<number> {
  const states = await remoteStates(body);
  const now = ctx.now();
  await ctx.write(async (tx, events) => {
    const changed = new Map<EntityType, string[]>();
    for (const state of states) {
      if (await applyRemote(tx, state, now, events)) {
        changed.set(state.type, [...(changed.get(state.type) ?? []), state.id]);
      }
    }
    for (const [type, ids] of changed) {
      events.push({ event: 'change', payload: { type, ids, origin: 'remote' } });
    }
    await putMeta(tx, CURSOR, body.cursor);
    if (body.retention?.retentionMs !== undefined) await putMeta(tx, RETENTION_MS, body.retention.retentionMs);
    await putMeta(tx, LAST_PULL_AT, body.timestamp ?? now);
  });
  return states.length;
}

/** When the cursor stops being valid if the device never pulls again; null while unknown. */
export async function retentionDeadline(ctx: SyncContext): Promise<number | null> {
  return ctx.store.read(async (tx) => {
    const retention = await getMeta<number>(tx, RETENTION_MS);
    const lastPull = await getMeta<number>(tx, LAST_PULL_AT);
    return retention === undefined || lastPull === undefined ? null : lastPull + retention;
  });
}
