import { mergeClocks } from './clock.js';
import type { EntityType, Fields, LocalEntity, Operation, VectorClock } from './model.js';
import { FIELDS, REQUIRED_ON_CREATE, isValidId } from './model.js';
import { enqueue } from './queue.js';
import type { Tx } from './store.js';
import { getConflict, getEntity, getMeta, putConflict, putEntity, putMeta } from './store.js';
import { versionOf } from './model.js';

const COUNTER = 'deviceCounter';

/**
 * The device's next clock after {@code after}: every local write takes the next value of a
 * persisted counter, so no two states this device ever wrote share a clock, not even after a full
 * resync dropped local copies.
 */
export async function tick(tx: Tx, deviceId: string, after: VectorClock): Promise<VectorClock> {
  const next = ((await getMeta<number>(tx, COUNTER)) ?? 0) + 1;
  await putMeta(tx, COUNTER, next);
  return mergeClocks(after, { [deviceId]: next });
}

export async function deviceCounter(tx: Tx): Promise<number> {
  return (await getMeta<number>(tx, COUNTER)) ?? 0;
}

function checkFields(type: EntityType, fields: Fields): void {
  const unknown = Object.keys(fields).filter((name) => !FIELDS[type].includes(name));
  if (unknown.length > 0) {
    throw new TypeError(`unknown ${type} fields: ${unknown.join(', ')}`);
  }
}

async function live(tx: Tx, type: EntityType, id: string): Promise<LocalEntity> {
  const entity = await getEntity(tx, type, id);
  if (!entity || entity.deleted) {
    throw new RangeError(`no ${type} ${id}`);
  }
  return entity;
}

/** Local writes (inside a transaction): each takes the next clock value, replaces the state and queues it. */
export class LocalChanges {
  constructor(private readonly deviceId: string) {}

  async create(tx: Tx, type: EntityType, id: string, fields: Fields, now: number): Promise<LocalEntity> {
    if (!isValidId(id)) throw new TypeError(`invalid id: ${id}`);
    for (const required of REQUIRED_ON_CREATE[type]) {
      if (fields[required] === undefined || fields[required] === null) throw new TypeError(`a ${type} needs ${required}`);
    }
    checkFields(type, fields);
    if (type !== 'task') {
      const task = await getEntity(tx, 'task', String(fields.taskId));
      if (!task || task.deleted) throw new RangeError(`no task ${String(fields.taskId)}`);
    }
    const previous = await getEntity(tx, type, id);
    if (previous && !previous.deleted) throw new RangeError(`${type} ${id} exists`);
    return this.write(tx, previous, type, id, previous?.clock ?? {}, { ...fields }, false, 'create',
      Object.keys(fields), now);
  }

  async update(tx: Tx, type: EntityType, id: string, changes: Fields, now: number): Promise<LocalEntity> {
    const current = await live(tx, type, id);
    checkFields(type, changes);
    if ('taskId' in changes && changes.taskId !== current.fields.taskId) throw new TypeError('taskId cannot change');
    return this.write(tx, current, type, id, current.clock, { ...current.fields, ...changes }, false, 'update',
      Object.keys(changes), now);
  }

  async remove(tx: Tx, type: EntityType, id: string, now: number): Promise<LocalEntity> {
    const current = await live(tx, type, id);
    return this.write(tx, current, type, id, current.clock, { ...current.fields }, true, 'delete', [], now);
  }

  /**
   * Writes a new local state whose clock follows {@code after} and this device's earlier writes.
   * While the entity is in conflict the write changes the conflict's local side instead of the
   * queue: the resolution queues the outcome.
   */
  async write(tx: Tx, previous: LocalEntity | undefined, type: EntityType, id: string, after: VectorClock,
      fields: Fields, deleted: boolean, operation: Operation, changed: readonly string[], now: number,
      base?: Fields | null): Promise<LocalEntity> {
    const clock = await tick(tx, this.deviceId, after);
    const inConflict = previous?.status === 'conflict';
    const entity: LocalEntity = { type, id, fields, clock, deleted, status: inConflict ? 'conflict' : 'pending',
      base: base !== undefined ? base : previous?.base ?? null, server: previous?.server ?? {}, localModifiedAt: now };
    await putEntity(tx, entity);
    const conflict = inConflict ? await getConflict(tx, type, id) : undefined;
    if (conflict) {
      await putConflict(tx, { ...conflict, local: versionOf(entity) });
    } else {
      await enqueue(tx, entity, operation, changed, now);
    }
    return entity;
  }
}
