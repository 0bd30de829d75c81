package io.syncgateway.client.sync;

import io.syncgateway.entity.Operation;
import io.syncgateway.client.store.Conflict;
import io.syncgateway.client.store.EntityStatus;
import io.syncgateway.client.store.LocalEntity;
import io.syncgateway.client.store.LocalStore;
import io.syncgateway.client.store.QueueState;
import io.syncgateway.clock.VectorClock;
import io.syncgateway.entity.EntityType;
import io.syncgateway.entity.Ids;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;

/**
 * Local writes (call inside a store transaction): each takes the device's next clock value,
 * replaces the entity's state and queues it. While an entity is in conflict, writes change the
 * conflict's local side and wait for the resolution to be queued; while a change of it is in the
 * failed queue, writes amend that failed change.
 */
public final class LocalChanges {
  private final LocalStore store;
  private final SyncQueue queue;
  private final DeviceClock deviceClock;

  public LocalChanges(LocalStore store, SyncQueue queue, DeviceClock deviceClock) {
    this.store = store;
    this.queue = queue;
    this.deviceClock = deviceClock;
  }

  public LocalEntity create(EntityType type, String id, JsonObject fields, long now) {
    if (!Ids.isValid(id)) {
      throw new IllegalArgumentException("invalid id: " + id);
    }
    for (String required : type.requiredOnCreate()) {
      if (fields.getValue(required) == null) {
        throw new IllegalArgumentException(type.singular() + " needs " + required);
      }
    }
    checkFields(type, fields);
    if (type.isChildOfTask()) {
      String taskId = fields.getString("taskId");
      if (store.entity(EntityType.TASK, taskId).filter(task -> !task.deleted()).isEmpty()) {
        throw new IllegalArgumentException("no task " + taskId);
      }
    }
    LocalEntity previous = store.entity(type, id).orElse(null);
    if (previous != null && !previous.deleted()) {
      throw new IllegalArgumentException(type.singular() + " " + id + " exists");
    }
    VectorClock after = previous == null ? VectorClock.empty() : previous.clock();
    return write(previous, type, id, after, fields.copy(), false, Operation.CREATE, fields.fieldNames(), now);
  }

  public LocalEntity update(EntityType type, String id, JsonObject changes, long now) {
    LocalEntity current = live(type, id);
    checkFields(type, changes);
    if (changes.containsKey("taskId") && !changes.getValue("taskId").equals(current.fields().getValue("taskId"))) {
      throw new IllegalArgumentException("taskId cannot change");
    }
    JsonObject fields = current.fields().copy().mergeIn(changes);
    return write(current, type, id, current.clock(), fields, false, Operation.UPDATE, changes.fieldNames(), now);
  }

  public LocalEntity delete(EntityType type, String id, long now) {
    LocalEntity current = live(type, id);
    return write(current, type, id, current.clock(), current.fields().copy(), true, Operation.DELETE, Set.of(), now);
  }

  /**
   * Writes a new local state whose clock follows {@code after} and this device's previous writes.
   * Used by local edits and conflict resolutions.
   */
  LocalEntity write(LocalEntity previous, EntityType type, String id, VectorClock after, JsonObject fields,
      boolean deleted, Operation operation, Set<String> changed, long now) {
    VectorClock clock = deviceClock.tick(after);
    boolean inConflict = previous != null && previous.status() == EntityStatus.CONFLICT;
    LocalEntity entity = new LocalEntity(type, id, fields, clock, deleted,
        inConflict ? EntityStatus.CONFLICT : EntityStatus.PENDING,
        previous == null ? null : previous.base(), previous == null ? null : previous.serverMeta(), now);
    store.putEntity(entity);
    if (inConflict) {
      store.conflict(type, id).ifPresent(c -> store.putConflict(c.withLocal(Conflict.Version.of(entity))));
    } else if (queue.enqueue(entity, operation, changed, now).state() == QueueState.FAILED) {
      // It amended a refused change: the entity stays failed until the app retries or discards it.
      LocalEntity failed = entity.withStatus(EntityStatus.FAILED);
      store.putEntity(failed);
      return failed;
    }
    return entity;
  }

  private LocalEntity live(EntityType type, String id) {
    return store.entity(type, id).filter(e -> !e.deleted())
        .orElseThrow(() -> new IllegalArgumentException("no " + type.singular() + " " + id));
  }

  private static void checkFields(EntityType type, JsonObject fields) {
    List<String> unknown = fields.fieldNames().stream().filter(f -> !type.fields().containsKey(f)).toList();
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException("unknown " + type.singular() + " fields " + unknown);
    }
  }

}
