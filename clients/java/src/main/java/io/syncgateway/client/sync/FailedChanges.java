package io.syncgateway.client.sync;

import io.syncgateway.client.SyncEvent;
import io.syncgateway.client.store.EntityStatus;
import io.syncgateway.client.store.LocalEntity;
import io.syncgateway.client.store.LocalStore;
import io.syncgateway.client.store.QueueItem;
import io.syncgateway.entity.EntityType;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Optional;

/**
 * What the app does with a change the server refused (call inside a store transaction): retry it,
 * after editing it or not, or discard it and take the server's state back.
 */
public final class FailedChanges {
  private final LocalStore store;
  private final SyncQueue queue;

  public FailedChanges(LocalStore store, SyncQueue queue) {
    this.store = store;
    this.queue = queue;
  }

  /** The entity's failed item, or an error naming it. */
  public QueueItem failedItem(EntityType type, String id) {
    return queue.failed(type, id)
        .orElseThrow(() -> new IllegalArgumentException("no failed change of " + type.singular() + " " + id));
  }

  /** Puts a failed item back in line; the entity it holds is pending again. */
  public boolean requeue(long seq, long now) {
    Optional<QueueItem> failed = queue.failed().stream().filter(item -> item.seq() == seq).findFirst();
    if (failed.isEmpty() || !queue.requeue(seq, now)) {
      return false;
    }
    QueueItem item = failed.get();
    store.entity(item.type(), item.entityId())
        .filter(entity -> entity.status() == EntityStatus.FAILED && entity.clock().equals(item.clock()))
        .ifPresent(entity -> store.putEntity(entity.withStatus(EntityStatus.PENDING)));
    return true;
  }

  /** Requeues the entity's failed change (as edited since it failed). */
  public QueueItem retry(EntityType type, String id, long now) {
    QueueItem item = failedItem(type, id);
    requeue(item.seq(), now);
    return item;
  }

  /**
   * Drops the entity's failed (and pending) changes and puts the server's state back, or removes
   * the entity when the server has none. Returns the restored entity.
   */
  public Optional<LocalEntity> discard(EntityType type, String id, Optional<JsonObject> serverState,
      List<SyncEvent> events) {
    QueueItem failed = failedItem(type, id);
    store.queueItems().stream().filter(item -> item.type() == type && item.entityId().equals(id))
        .forEach(queue::remove);
    LocalEntity local = store.entity(type, id).orElse(null);
    Optional<LocalEntity> restored = serverState
        .map(server -> RemoteChanges.RemoteState.ofServerEntity(type, server).asSynced(local));
    restored.ifPresentOrElse(store::putEntity, () -> store.removeEntity(type, id));
    events.add(SyncEvent.entity(SyncEvent.Type.ITEM_DISCARDED, type, id, failed.clock(), restored.isPresent()
        ? "back to the server's state" : "removed: the server has none"));
    return restored;
  }
}
