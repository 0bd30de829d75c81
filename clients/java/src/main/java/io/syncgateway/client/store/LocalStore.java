package io.syncgateway.client.store;

import io.syncgateway.entity.EntityType;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A device's durable state: entities, the sync queue (pending and failed items), the conflict
 * queue and small metadata (device id, device counter, cursor, retention). Calls may block; the
 * client runs them off the event loop, one at a time.
 */
public interface LocalStore extends AutoCloseable {

  /** Runs {@code work} as one local transaction: all of its writes persist, or none. */
  <T> T transaction(Supplier<T> work);

  Optional<LocalEntity> entity(EntityType type, String id);

  /** Every entity of the type, tombstones included, ordered by id. */
  List<LocalEntity> entities(EntityType type);

  void putEntity(LocalEntity entity);

  void removeEntity(EntityType type, String id);

  /** Every queue item, pending and failed, in enqueue order. */
  List<QueueItem> queueItems();

  void putQueueItem(QueueItem item);

  void removeQueueItem(long seq);

  /** The next free queue sequence number, kept in {@code meta.queueSeq}. */
  default long nextQueueSeq() {
    return transaction(() -> {
      long next = meta("queueSeq").map(Long::parseLong).orElse(0L) + 1;
      putMeta("queueSeq", Long.toString(next));
      return next;
    });
  }

  List<Conflict> conflicts();

  Optional<Conflict> conflict(EntityType type, String id);

  void putConflict(Conflict conflict);

  void removeConflict(EntityType type, String id);

  Optional<String> meta(String key);

  void putMeta(String key, String value);

  void removeMeta(String key);

  @Override
  void close();
}
