import { openDB, type DBSchema, type IDBPDatabase, type IDBPTransaction } from 'idb';
import type { Conflict, EntityType, FailedItem, LocalEntity, QueueItem } from './model.js';

interface SyncSchema extends DBSchema {
  entities: { key: [EntityType, string]; value: LocalEntity; indexes: { byType: EntityType } };
  queue: { key: number; value: QueueItem; indexes: { byEntity: [EntityType, string] } };
  failed: { key: number; value: FailedItem };
  conflicts: { key: [EntityType, string]; value: Conflict };
  meta: { key: string; value: unknown };
}

const STORES = ['entities', 'queue', 'failed', 'conflicts', 'meta'] as const;
type StoreNames = (typeof STORES)[number];

/** A read-write transaction over every store: entity, queue, conflicts and metadata change together. */
export type Tx = IDBPTransaction<SyncSchema, StoreNames[], 'readwrite'>;

/**
 * The device's durable state in IndexedDB: entities, the push queue, failed items, conflicts and
 * metadata (device counter, cursor, retention). Every change goes through {@link LocalStore.write},
 * one transaction, so an entity and its queue item never disagree, even across a page reload or
 * a crash mid-way.
 */
export class LocalStore {
  private constructor(private readonly db: IDBPDatabase<SyncSchema>) {}

  static async open(name: string): Promise<LocalStore> {
    const db = await openDB<SyncSchema>(name, 1, {
      upgrade(database) {
        database.createObjectStore('entities', { keyPath: ['type', 'id'] }).createIndex('byType', 'type');
        database.createObjectStore('queue', { keyPath: 'seq', autoIncrement: true })
          .createIndex('byEntity', ['type', 'id']);
        database.createObjectStore('failed', { keyPath: 'seq' });
        database.createObjectStore('conflicts', { keyPath: ['type', 'id'] });
        database.createObjectStore('meta');
      },
    });
    return new LocalStore(db);
  }

  /**
   * Runs {@code work} in one read-write transaction and waits for its commit. The work may await
   * only IndexedDB requests of {@code tx} (anything else lets the transaction commit early).
   */
  async write<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    const tx = this.db.transaction([...STORES], 'readwrite');
    let result: T;
    try {
      result = await work(tx);
    } catch (error) {
      try {
        tx.abort();
      } catch {
        // already finished
      }
      await tx.done.catch(() => undefined);
      throw error;
    }
    await tx.done;
    return result;
  }

  /** A read-only snapshot read (same rules as {@link write}). */
  async read<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    // A read-write transaction keeps the typing simple; reads are small and short.
    return this.write(work);
  }

  close(): void {
    this.db.close();
  }
}

export async function getEntity(tx: Tx, type: EntityType, id: string): Promise<LocalEntity | undefined> {
  return tx.objectStore('entities').get([type, id]);
}

export async function entitiesOf(tx: Tx, type: EntityType): Promise<LocalEntity[]> {
  return tx.objectStore('entities').index('byType').getAll(type);
}

export async function putEntity(tx: Tx, entity: LocalEntity): Promise<void> {
  await tx.objectStore('entities').put(entity);
}

export async function removeEntity(tx: Tx, type: EntityType, id: string): Promise<void> {
  await tx.objectStore('entities').delete([type, id]);
}

export async function getMeta<T>(tx: Tx, key: string): Promise<T | undefined> {
  return (await tx.objectStore('meta').get(key)) as T | undefined;
}

export async function putMeta(tx: Tx, key: string, value: unknown): Promise<void> {
  await tx.objectStore('meta').put(value, key);
}

export async function removeMeta(tx: Tx, key: string): Promise<void> {
  await tx.objectStore('meta').delete(key);
}

export async function getConflict(tx: Tx, type: EntityType, id: string): Promise<Conflict | undefined> {
  return tx.objectStore('conflicts').get([type, id]);
}

export async function allConflicts(tx: Tx): Promise<Conflict[]> {
  return tx.objectStore('conflicts').getAll();
}

export async function putConflict(tx: Tx, conflict: Conflict): Promise<void> {
  await tx.objectStore('conflicts').put(conflict);
}

export async function removeConflict(tx: Tx, type: EntityType, id: string): Promise<void> {
  await tx.objectStore('conflicts').delete([type, id]);
}
