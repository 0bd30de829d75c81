import { mergeClocks } from './clock.js';
import type { PendingEvent } from './events.js';
import type { EntityType, Fields, LocalEntity } from './model.js';
import type { LocalChanges } from './local-changes.js';
import type { Resolution, Resolver } from './resolvers.js';
import type { Tx } from './store.js';
import { getConflict, getEntity, removeConflict } from './store.js';

/**
 * Settles a conflict (inside a transaction): the chosen state gets a clock that dominates both
 * versions, the remote side becomes the merge base, and the entity is queued again.
 */
export async function resolveConflict(tx: Tx, changes: LocalChanges, type: EntityType, id: string,
    choose: Resolver | Resolution, now: number, events: PendingEvent[]): Promise<LocalEntity> {
  const conflict = await getConflict(tx, type, id);
  const local = await getEntity(tx, type, id);
  if (!conflict || !local) throw new RangeError(`no conflict on ${type} ${id}`);
  const resolution = typeof choose === 'function' ? choose(conflict) : choose;
  const remote = conflict.remote;
  await removeConflict(tx, type, id);
  const operation = resolution.deleted ? 'delete' : remote.deleted ? 'create' : 'update';
  const fields: Fields = resolution.deleted ? { ...local.fields } : { ...resolution.fields };
  // The push carries the full state: a field the server holds and the resolution drops is cleared.
  for (const name of Object.keys(remote.fields)) {
    if (!(name in fields)) fields[name] = null;
  }
  // A resurrection is a create: every field counts as changed.
  const before = remote.deleted ? {} : remote.fields;
  const changed = Object.keys({ ...before, ...fields })
    .filter((name) => JSON.stringify(before[name]) !== JSON.stringify(fields[name]));
  const rebased: LocalEntity = { ...local, status: 'pending' };
  const resolved = await changes.write(tx, rebased, type, id, mergeClocks(local.clock, remote.clock), fields,
    resolution.deleted, operation, changed, now, remote.deleted ? null : { ...remote.fields });
  events.push({ event: 'conflict-resolved', payload: { type, id, deleted: resolution.deleted } });
  events.push({ event: 'change', payload: { type, ids: [id], origin: 'local' } });
  return resolved;
}
