package io.syncgateway.client.store;

import io.syncgateway.entity.EntityType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;

/** A store in memory, for tests and short-lived tools. A failed transaction restores the snapshot. */
public final class InMemoryLocalStore implements LocalStore {
  private Map<String, LocalEntity> entities = new TreeMap<>();
  private TreeMap<Long, QueueItem> queue = new TreeMap<>();
  private Map<String, Conflict> conflicts = new TreeMap<>();
  private Map<String, String> meta = new HashMap<>();
  private int depth;

  @Override
  public synchronized <T> T transaction(Supplier<T> work) {
    if (depth > 0) {
      return work.get();
    }
    Map<String, LocalEntity> entitiesBefore = new TreeMap<>(entities);
    TreeMap<Long, QueueItem> queueBefore = new TreeMap<>(queue);
    Map<String, Conflict> conflictsBefore = new TreeMap<>(conflicts);
    Map<String, String> metaBefore = new HashMap<>(meta);
    depth++;
    try {
      return work.get();
    } catch (RuntimeException | Error e) {
      entities = entitiesBefore;
      queue = queueBefore;
      conflicts = conflictsBefore;
      meta = metaBefore;
      throw e;
    } finally {
      depth--;
    }
  }

  private static String key(EntityType type, String id) {
    return type.singular() + ":" + id;
  }

  @Override
  public synchronized Optional<LocalEntity> entity(EntityType type, String id) {
    return Optional.ofNullable(entities.get(key(type, id)));
  }

  @Override
  public synchronized List<LocalEntity> entities(EntityType type) {
    return entities.values().stream().filter(e -> e.type() == type).toList();
  }

  @Override
  public synchronized void putEntity(LocalEntity entity) {
    entities.put(key(entity.type(), entity.id()), entity);
  }

  @Override
  public synchronized void removeEntity(EntityType type, String id) {
    entities.remove(key(type, id));
  }

  @Override
  public synchronized List<QueueItem> queueItems() {
    return new ArrayList<>(queue.values());
  }

  @Override
  public synchronized void putQueueItem(QueueItem item) {
    queue.put(item.seq(), item);
  }

  @Override
  public synchronized void removeQueueItem(long seq) {
    queue.remove(seq);
  }

  @Override
  public synchronized List<Conflict> conflicts() {
    return new ArrayList<>(conflicts.values());
  }

  @Override
  public synchronized Optional<Conflict> conflict(EntityType type, String id) {
    return Optional.ofNullable(conflicts.get(key(type, id)));
  }

  @Override
  public synchronized void putConflict(Conflict conflict) {
    conflicts.put(key(conflict.type(), conflict.entityId()), conflict);
  }

  @Override
  public synchronized void removeConflict(EntityType type, String id) {
    conflicts.remove(key(type, id));
  }

  @Override
  public synchronized Optional<String> meta(String key) {
    return Optional.ofNullable(meta.get(key));
  }

  @Override
  public synchronized void putMeta(String key, String value) {
    meta.put(key, value);
  }

  @Override
  public synchronized void removeMeta(String key) {
    meta.remove(key);
  }

  @Override
  public void close() {
  }
}
