/** The gateway's data model as the client sees it (PROTOCOL §1). */

export type EntityType = 'task' | 'comment' | 'attachment';
export const ENTITY_TYPES: readonly EntityType[] = ['task', 'comment', 'attachment'];
export const PLURAL: Readonly<Record<EntityType, string>> = { task: 'tasks', comment: 'comments', attachment: 'attachments' };

export type VectorClock = Record<string, number>;
export type Fields = Record<string, unknown>;
export type Operation = 'create' | 'update' | 'delete';

/** Domain fields each type may carry, and those a create needs. */
export const FIELDS: Readonly<Record<EntityType, readonly string[]>> = {
  task: ['title', 'description', 'status', 'assignedTo', 'dueDate', 'completedAt', 'tags', 'customFields', 'position'],
  comment: ['taskId', 'content'],
  attachment: ['taskId', 'filename', 'mimeType', 'size', 'storageKey'],
};
export const REQUIRED_ON_CREATE: Readonly<Record<EntityType, readonly string[]>> = {
  task: ['title'],
  comment: ['taskId', 'content'],
  attachment: ['taskId', 'filename'],
};

/** Keys the server manages; everything else on a pulled entity is a domain field. */
export const SERVER_KEYS: ReadonlySet<string> = new Set(['id', 'vectorClock', 'version', 'updatedAt', 'createdAt',
  'createdBy', 'lastModifiedBy', 'lastModifiedDevice', 'organizationId', 'checksum', 'deletedAt', 'entityType',
  'deleted']);

/** Ids are 1–128 characters of A–Z a–z 0–9 . _ ~ : - (not "." or ".."), safe in a URL path. */
export function isValidId(id: unknown): id is string {
  return typeof id === 'string' && /^[A-Za-z0-9._~:-]{1,128}$/.test(id) && id !== '.' && id !== '..';
}

export function isEntityType(name: unknown): name is EntityType {
  return name === 'task' || name === 'comment' || name === 'attachment';
}

/** Reads a singular or plural type name as the server may send it. */
export function entityTypeOf(name: string): EntityType | undefined {
  const singular = name.endsWith('s') ? name.slice(0, -1) : name;
  return isEntityType(singular) ? singular : undefined;
}

export type EntityStatus = 'synced' | 'pending' | 'conflict' | 'failed';

/** An entity as this device holds it. */
export interface LocalEntity {
  type: EntityType;
  id: string;
  fields: Fields;
  clock: VectorClock;
  deleted: boolean;
  status: EntityStatus;
  /** The last state both sides agreed on: the base of a field merge. */
  base: Fields | null;
  /** Server-managed metadata of the last known server state (version, updatedAt, lastModifiedBy, …). */
  server: Fields;
  localModifiedAt: number;
}

/** One side of a conflict. */
export interface Version {
  fields: Fields;
  clock: VectorClock;
  deleted: boolean;
  /** Server time for the remote side, this device's time for the local side. */
  updatedAt: number;
}

export interface Conflict {
  type: EntityType;
  id: string;
  local: Version;
  remote: Version;
  base: Fields | null;
  detectedAt: number;
}

/** A pending change in the push queue: one per entity, holding its newest state. */
export interface QueueItem {
  seq?: number;
  type: EntityType;
  id: string;
  operation: Operation;
  priority: number;
  changedFields: string[];
  /** The flat wire form: id, domain fields (nulls kept) and vectorClock. */
  payload: Fields;
  clock: VectorClock;
  createdAt: number;
  retryCount: number;
  nextAttemptAt: number;
  lastError: string | null;
  /** Set when the item went out in a batch: a retry of the same batch reuses it (idempotency). */
  batchId: string | null;
}

/** A change the client gave up on: kept until the app retries or discards it. */
export interface FailedItem extends QueueItem {
  seq: number;
  reason: string;
  failedAt: number;
}

export function versionOf(entity: LocalEntity): Version {
  return { fields: { ...entity.fields }, clock: { ...entity.clock }, deleted: entity.deleted, updatedAt: entity.localModifiedAt };
}

/** The flat wire form of a local state. */
export function wireOf(entity: LocalEntity): Fields {
  const wire: Fields = { id: entity.id };
  if (!entity.deleted) {
    Object.assign(wire, entity.fields);
  }
  wire.vectorClock = { ...entity.clock };
  return wire;
}
