package io.syncgateway.conflict;

import io.syncgateway.auth.Principal;
import io.syncgateway.batch.PushItem;
import io.syncgateway.batch.Rejection;
import io.syncgateway.clock.ClockRelation;
import io.syncgateway.clock.VectorClock;
import io.syncgateway.entity.EntityRow;
import io.syncgateway.entity.EntityType;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Decides every item of a batch against the stored states, by vector clock: AFTER applies, EQUAL is
 * acknowledged, BEFORE is superseded, CONCURRENT is a conflict. Pure: it reads the states the
 * conflict verticle read and returns what to write, so it runs the same anywhere.
 */
public final class BatchDecider {
  static final String CONFLICT_REASON = "Concurrent modification detected";

  private final Principal principal;
  private final String deviceId;
  private final long now;
  /** Current state of each entity: stored, then as written by earlier items of this batch. */
  private final Map<Key, EntityRow> current = new HashMap<>();
  private final Map<Key, EntityRow> writes = new LinkedHashMap<>();
  private final Map<String, VectorClock> tasksDeletedInBatch = new LinkedHashMap<>();
  private final Map<Integer, JsonObject> conflicts = new TreeMap<>();
  private final Map<Integer, JsonObject> superseded = new TreeMap<>();
  private final Map<Integer, Rejection> rejected = new TreeMap<>();
  private int applied;
  private int acknowledged;

  private record Key(EntityType type, String id) {}

  private BatchDecider(Principal principal, String deviceId, long now) {
    this.principal = principal;
    this.deviceId = deviceId;
    this.now = now;
  }

  /**
   * @param stored the stored rows (live or tombstones) of every entity the items name, and of the
   *     tasks their taskIds name
   * @param liveChildren live comments and attachments of the tasks that delete items name
   */
  public static Decision decide(Principal principal, String deviceId, long now, List<PushItem> items,
      List<EntityRow> stored, List<EntityRow> liveChildren) {
    BatchDecider decider = new BatchDecider(principal, deviceId, now);
    stored.forEach(row -> decider.current.put(new Key(row.type(), row.id()), row));
    decider.decideAll(items);
    decider.cascadeTaskDeletes(liveChildren);
    return decider.result();
  }

  private void decideAll(List<PushItem> items) {
    // Tasks before their children, so that a parent created or deleted in the batch is known;
    // within one entity the newest state first, so it applies and older states are superseded.
    List<PushItem> ordered = new ArrayList<>(items);
    ordered.sort(Comparator.comparing((PushItem item) -> item.type().ordinal())
        .thenComparing(PushItem::id)
        .thenComparing(Comparator.comparingLong((PushItem item) -> item.clock().sum()).reversed())
        .thenComparing(Comparator.comparingInt(PushItem::index).reversed()));
    ordered.forEach(this::decide);
  }

  private void decide(PushItem item) {
    Key key = new Key(item.type(), item.id());
    EntityRow existing = current.get(key);
    Rejection refusal = permissionProblem(item, existing);
    if (refusal == null) {
      refusal = parentProblem(item, existing);
    }
    if (refusal != null) {
      rejected.put(item.index(), refusal);
      return;
    }
    ClockRelation relation = existing == null ? ClockRelation.AFTER : item.clock().relationTo(existing.clock());
    switch (relation) {
      case EQUAL:
        acknowledged++;
        break;
      case BEFORE:
        superseded.put(item.index(), new JsonObject()
            .put("entityType", item.type().singular())
            .put("entityId", item.id())
            .put("serverVectorClock", existing.clock().toJson()));
        break;
      case CONCURRENT:
        conflicts.put(item.index(), new JsonObject()
            .put("entityType", item.type().singular())
            .put("entityId", item.id())
            .put("serverVersion", existing.toEntityJson(principal.orgId()))
            .put("serverVectorClock", existing.clock().toJson())
            .put("reason", CONFLICT_REASON)
            .put("autoResolvable", false));
        break;
      default:
        apply(item, key, existing);
    }
  }

  private void apply(PushItem item, Key key, EntityRow existing) {
    EntityRow next;
    if (item.isDelete()) {
      next = tombstone(item.type(), item.id(), existing, item.clock(), principal.userId(), deviceId);
      if (item.type() == EntityType.TASK) {
        tasksDeletedInBatch.put(item.id(), item.clock());
      }
    } else if (existing == null || existing.isDeleted()) {
      String missing = item.type().requiredOnCreate().stream()
          .filter(field -> item.fields().getValue(field) == null).findFirst().orElse(null);
      if (missing != null) {
        rejected.put(item.index(), Rejection.validation(item.type(), item.id(),
            missing + " is required to create a " + item.type().singular()));
        return;
      }
      next = new EntityRow(item.type(), item.id(), withoutNulls(new JsonObject(), item.fields()), item.clock(),
          existing == null ? 1 : existing.version() + 1, now, principal.userId(), now, principal.userId(),
          deviceId, null, null, null, null);
    } else {
      next = new EntityRow(item.type(), item.id(), withoutNulls(existing.data().copy(), item.fields()),
          item.clock(), existing.version() + 1, existing.createdAt(), existing.createdBy(), now,
          principal.userId(), deviceId, null, null, null, null);
    }
    applied++;
    record(key, next);
  }

  /** Members may not change or delete comments that someone else wrote; admins may. */
  private Rejection permissionProblem(PushItem item, EntityRow existing) {
    if (item.type() == EntityType.COMMENT && existing != null && !existing.isDeleted()
        && !principal.isAdmin() && !principal.userId().equals(existing.createdBy())) {
      return new Rejection(item.type(), item.id(), Rejection.FORBIDDEN,
          "Only the author or an admin may change this comment", false);
    }
    return null;
  }

  /** A comment or attachment needs a live task of the organization (stored or in this batch). */
  private Rejection parentProblem(PushItem item, EntityRow existing) {
    if (!item.type().isChildOfTask()) {
      return null;
    }
    String taskId = item.taskId();
    if (taskId == null && existing != null && !existing.isDeleted()) {
      taskId = existing.taskId();
    }
    if (taskId == null) {
      return item.isDelete() ? null : Rejection.validation(item.type(), item.id(), "taskId is required");
    }
    if (tasksDeletedInBatch.containsKey(taskId)) {
      return missingParent(item, "The task " + taskId + " is deleted in the same batch", false);
    }
    if (item.isDelete()) {
      return null;
    }
    EntityRow task = current.get(new Key(EntityType.TASK, taskId));
    if (task == null) {
      return missingParent(item, "The task " + taskId + " does not exist (yet)", true);
    }
    if (task.isDeleted()) {
      return missingParent(item, "The task " + taskId + " is deleted", false);
    }
    return null;
  }

  private static Rejection missingParent(PushItem item, String message, boolean retryable) {
    return new Rejection(item.type(), item.id(), Rejection.MISSING_PARENT, message, retryable);
  }

  /** Deleting a task deletes its live comments and attachments, each with its own tombstone. */
  private void cascadeTaskDeletes(List<EntityRow> liveChildren) {
    for (EntityRow child : liveChildren) {
      VectorClock deleteClock = tasksDeletedInBatch.get(child.taskId());
      Key key = new Key(child.type(), child.id());
      EntityRow state = current.getOrDefault(key, child);
      if (deleteClock == null || state.isDeleted() || !child.taskId().equals(state.taskId())) {
        continue;
      }
      record(key, tombstone(child.type(), child.id(), state, state.clock().merge(deleteClock),
          principal.userId(), deviceId));
    }
  }

  private EntityRow tombstone(EntityType type, String id, EntityRow existing, VectorClock clock,
      String deletedBy, String deletedFrom) {
    return new EntityRow(type, id, new JsonObject(), clock, existing == null ? 1 : existing.version() + 1,
        existing == null ? null : existing.createdAt(), existing == null ? null : existing.createdBy(),
        now, principal.userId(), deviceId, now, deletedBy, deletedFrom, null);
  }

  private void record(Key key, EntityRow row) {
    EntityRow withChecksum = row.withComputedChecksum(principal.orgId());
    current.put(key, withChecksum);
    writes.put(key, withChecksum);
  }

  /** Fields present overwrite; null clears. */
  private static JsonObject withoutNulls(JsonObject base, JsonObject changes) {
    changes.forEach(field -> {
      if (field.getValue() == null) {
        base.remove(field.getKey());
      } else {
        base.put(field.getKey(), field.getValue());
      }
    });
    return base;
  }

  private Decision result() {
    return new Decision(applied, acknowledged, new JsonArray(new ArrayList<>(conflicts.values())),
        new JsonArray(new ArrayList<>(superseded.values())), new ArrayList<>(rejected.values()),
        new ArrayList<>(writes.values()));
  }
}
