export { createSyncClient, SyncClient, type SyncClientOptions, type ResolverName, type Row } from './client.js';
export { GatewayError, type TokenSource } from './api.js';
export { compareClocks, mergeClocks, type ClockRelation } from './clock.js';
export { checksumOf, CHECKSUM_ALGORITHM } from './checksum.js';
export { priorityOf } from './priorities.js';
export { keepLocal, keepRemote, lastWriterWins, fieldMerge, type Resolution, type Resolver } from './resolvers.js';
export { backoffMs, DEFAULT_QUEUE_POLICY, type QueuePolicy } from './queue.js';
export type { SyncEvents, SyncStatus, SyncResult } from './events.js';
export type { Conflict, EntityType, FailedItem, Fields, LocalEntity, QueueItem, Version, VectorClock } from './model.js';
