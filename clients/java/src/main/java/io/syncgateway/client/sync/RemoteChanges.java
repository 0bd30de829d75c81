package io.syncgateway.client.sync;

import io.syncgateway.client.SyncEvent;
import io.syncgateway.client.store.Conflict;
import io.syncgateway.client.store.EntityStatus;
import io.syncgateway.client.store.LocalEntity;
import io.syncgateway.client.store.LocalStore;
import io.syncgateway.client.store.QueueItem;
import io.syncgateway.clock.ClockRelation;
import io.syncgateway.clock.VectorClock;
import io.syncgateway.entity.EntityType;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Applies a server state (pulled entity or tombstone, or a conflict's serverVersion) to the local
 * store by the same clock table the server uses: a state after or equal to the local one replaces
 * it, an older one is ignored, a concurrent one becomes a conflict holding both versions.
 */
public final class RemoteChanges {
  private final LocalStore store;
  private final SyncQueue queue;

  public RemoteChanges(LocalStore store, SyncQueue queue) {
    this.store = store;
    this.queue = queue;
  }

  /** A server state of one entity. {@code fields} are domain fields (empty for a tombstone). */
  public record RemoteState(EntityType type, String id, JsonObject fields, VectorClock clock, boolean deleted,
      JsonObject serverMeta) {

    /** Reads a pulled entity or a conflict's serverVersion (which may be a tombstone). */
    public static RemoteState ofServerEntity(EntityType type, JsonObject entity) {
      return new RemoteState(type, entity.getString("id"),
          entity.getBoolean("deleted", false) ? new JsonObject() : LocalEntity.domainFields(entity),
          LocalEntity.clock(entity.getJsonObject("vectorClock")), entity.getBoolean("deleted", false),
          LocalEntity.serverFields(entity));
    }

    public static RemoteState ofTombstone(JsonObject tombstone) {
      return new RemoteState(EntityType.fromName(tombstone.getString("entityType")), tombstone.getString("entityId"),
          new JsonObject(), LocalEntity.clock(tombstone.getJsonObject("vectorClock")), true,
          new JsonObject().put("deletedAt", tombstone.getLong("deletedAt")));
    }

    Conflict.Version version() {
      Long updatedAt = serverMeta.getLong("updatedAt", serverMeta.getLong("deletedAt"));
      return new Conflict.Version(fields, clock, deleted, updatedAt == null ? 0 : updatedAt);
    }

    LocalEntity asSynced(LocalEntity previous) {
      JsonObject kept = deleted && previous != null ? previous.fields() : fields;
      return new LocalEntity(type, id, kept, clock, deleted, EntityStatus.SYNCED, kept.copy(), serverMeta,
          previous == null ? 0 : previous.localModifiedAt());
    }
  }

  /** Applies {@code remote}; returns true when the local state changed to it. */
  public boolean apply(RemoteState remote, long now, List<SyncEvent> events) {
    LocalEntity local = store.entity(remote.type(), remote.id()).orElse(null);
    ClockRelation relation = local == null ? ClockRelation.AFTER : remote.clock().relationTo(local.clock());
    switch (relation) {
      case AFTER, EQUAL -> {
        replace(local, remote, now, events);
        return true;
      }
      case CONCURRENT -> {
        recordConflict(local, remote, now, events);
        return false;
      }
      default -> {
        return false;
      }
    }
  }

  private void replace(LocalEntity local, RemoteState remote, long now, List<SyncEvent> events) {
    store.putEntity(remote.asSynced(local));
    if (local != null) {
      // Anything queued for this entity is causally included in the remote state.
      for (QueueItem item : queue.pendingItems()) {
        if (item.type() == remote.type() && item.entityId().equals(remote.id())
            && item.clock().relationTo(remote.clock()) != ClockRelation.CONCURRENT) {
          queue.remove(item);
          events.add(SyncEvent.entity(SyncEvent.Type.ITEM_SUPERSEDED, item.type(), item.entityId(), item.clock(),
              "included in a newer server state"));
        }
      }
      store.removeConflict(remote.type(), remote.id());
    }
    if (remote.deleted() && remote.type() == EntityType.TASK) {
      Cascade.deleteChildren(store, queue, remote.id(), remote.clock(), now, events);
    }
  }

  /** Records (or refreshes) a conflict; the local state stays visible and leaves the push queue. */
  public void recordConflict(LocalEntity local, RemoteState remote, long now, List<SyncEvent> events) {
    Conflict existing = store.conflict(remote.type(), remote.id()).orElse(null);
    if (existing != null) {
      if (remote.clock().relationTo(existing.remote().clock()) == ClockRelation.AFTER) {
        store.putConflict(existing.withRemote(remote.version()));
      }
    } else {
      store.putConflict(new Conflict(remote.type(), remote.id(), Conflict.Version.of(local), remote.version(),
          local.base(), now));
      events.add(SyncEvent.conflict(remote.type(), remote.id(), local.clock(), remote.clock()));
    }
    store.putEntity(local.withStatus(EntityStatus.CONFLICT));
    queue.pendingItems().stream()
        .filter(item -> item.type() == remote.type() && item.entityId().equals(remote.id()))
        .forEach(queue::remove);
  }
}
