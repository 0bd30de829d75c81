import { compareClocks, mergeClocks } from './clock.js';
import type { PendingEvent } from './events.js';
import type { EntityType, Fields, LocalEntity, VectorClock, Version } from './model.js';
import { SERVER_KEYS, versionOf } from './model.js';
import { fail, pendingOf, pendingItems, removeQueued } from './queue.js';
import type { Tx } from './store.js';
import { entitiesOf, getConflict, getEntity, putConflict, putEntity, removeConflict } from './store.js';

/** A server state of one entity: a pulled entity, a tombstone, or a conflict's serverVersion. */
export interface RemoteState {
  type: EntityType;
  id: string;
  fields: Fields;
  clock: VectorClock;
  deleted: boolean;
  server: Fields;
}

export function remoteOfEntity(type: EntityType, entity: Fields): RemoteState {
  const deleted = entity.deleted === true;
  const fields: Fields = {};
  const server: Fields = {};
  for (const [key, value] of Object.entries(entity)) {
    (SERVER_KEYS.has(key) ? server : fields)[key] = value;
  }
  return { type, id: String(entity.id), fields: deleted ? {} : fields, clock: (entity.vectorClock ?? {}) as VectorClock,
    deleted, server };
}

export function remoteOfTombstone(type: EntityType, tombstone: Fields): RemoteState {
  return { type, id: String(tombstone.entityId), fields: {}, clock: (tombstone.vectorClock ?? {}) as VectorClock,
    deleted: true, server: { deletedAt: tombstone.deletedAt, deletedBy: tombstone.deletedBy,
      vectorClock: tombstone.vectorClock } };
}

function remoteVersion(remote: RemoteState): Version {
  const updatedAt = Number(remote.server.updatedAt ?? remote.server.deletedAt ?? 0);
  return { fields: { ...remote.fields }, clock: { ...remote.clock }, deleted: remote.deleted, updatedAt };
}

function asSynced(remote: RemoteState, previous: LocalEntity | undefined): LocalEntity {
  // A tombstone keeps the last known fields, so a deleted task can still be named in the UI.
  const fields = remote.deleted && previous ? previous.fields : remote.fields;
  return { type: remote.type, id: remote.id, fields, clock: { ...remote.clock }, deleted: remote.deleted,
    status: 'synced', base: { ...fields }, server: { ...remote.server, vectorClock: { ...remote.clock } },
    localModifiedAt: previous?.localModifiedAt ?? 0 };
}

/**
 * Applies a server state by the same clock table the server uses: after or equal to the local
 * state it replaces it; older, it is ignored; concurrent, it becomes a conflict holding both
 * versions. Returns true when the local state changed to the remote one.
 */
export async function applyRemote(tx: Tx, remote: RemoteState, now: number, events: PendingEvent[]): Promise<boolean> {
  const local = await getEntity(tx, remote.type, remote.id);
  const relation = local ? compareClocks(remote.clock, local.clock) : 'AFTER';
  if (relation === 'AFTER' || relation === 'EQUAL') {
    await replace(tx, local, remote, now, events);
    return true;
  }
  if (relation === 'CONCURRENT') {
    await recordConflict(tx, local!, remote, now, events);
  }
  return false;
}

async function replace(tx: Tx, local: LocalEntity | undefined, remote: RemoteState, now: number,
    events: PendingEvent[]): Promise<void> {
  await putEntity(tx, asSynced(remote, local));
  if (local) {
    // A queued change the remote state already follows is included in it.
    const queued = await pendingOf(tx, remote.type, remote.id);
    if (queued && compareClocks(queued.clock, remote.clock) !== 'CONCURRENT') {
      await removeQueued(tx, queued);
    }
    await removeConflict(tx, remote.type, remote.id);
  }
  if (remote.deleted && remote.type === 'task') {
    await cascadeDelete(tx, remote.id, remote.clock, now, events);
  }
}

/** Records (or refreshes) a conflict; the local state stays visible and leaves the push queue. */
export async function recordConflict(tx: Tx, local: LocalEntity, remote: RemoteState, now: number,
    events: PendingEvent[]): Promise<void> {
  const existing = await getConflict(tx, remote.type, remote.id);
  if (existing) {
    if (compareClocks(remote.clock, existing.remote.clock) === 'AFTER') {
      await putConflict(tx, { ...existing, remote: remoteVersion(remote) });
    }
  } else {
    const conflict = { type: remote.type, id: remote.id, local: versionOf(local), remote: remoteVersion(remote),
      base: local.base, detectedAt: now };
    await putConflict(tx, conflict);
    events.push({ event: 'conflict', payload: conflict });
  }
  await putEntity(tx, { ...local, status: 'conflict' });
  const queued = await pendingOf(tx, remote.type, remote.id);
  if (queued) {
    await removeQueued(tx, queued);
  }
}

/**
 * Mirrors the server's cascade (PROTOCOL Appendix A rule 3) once a task's deletion is known to be
 * on the server: its comments and attachments become tombstones. Their pending changes can no
 * longer apply and move to the failed queue with the reason, so the app still sees them.
 */
export async function cascadeDelete(tx: Tx, taskId: string, taskClock: VectorClock, now: number,
    events: PendingEvent[]): Promise<void> {
  for (const type of ['comment', 'attachment'] as const) {
    const children = (await entitiesOf(tx, type)).filter((c) => !c.deleted && c.fields.taskId === taskId);
    for (const child of children) {
      await removeConflict(tx, type, child.id);
      const queued = (await pendingItems(tx)).find((item) => item.type === type && item.id === child.id);
      if (queued) {
        const failed = await fail(tx, queued, `missing_parent: task ${taskId} was deleted`, now);
        events.push({ event: 'failed', payload: failed });
      }
      await putEntity(tx, { ...child, clock: mergeClocks(child.clock, taskClock), deleted: true, status: 'synced',
        base: { ...child.fields } });
    }
    if (children.length > 0) {
      events.push({ event: 'change', payload: { type, ids: children.map((c) => c.id), origin: 'remote' } });
    }
  }
}
