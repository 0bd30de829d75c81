package io.syncgateway.client.sync;

import io.syncgateway.entity.Operation;
import io.syncgateway.client.SyncEvent;
import io.syncgateway.client.conflict.ConflictResolver;
import io.syncgateway.client.conflict.Resolution;
import io.syncgateway.client.store.Conflict;
import io.syncgateway.client.store.EntityStatus;
import io.syncgateway.client.store.LocalEntity;
import io.syncgateway.client.store.LocalStore;
import io.syncgateway.clock.VectorClock;
import io.syncgateway.entity.EntityType;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Settles a conflict (inside a store transaction): the chosen state gets a clock that dominates
 * both versions, the remote side becomes the merge base, and the entity is queued again.
 */
public final class ConflictResolutions {
  private final LocalStore store;
  private final LocalChanges changes;

  public ConflictResolutions(LocalStore store, LocalChanges changes) {
    this.store = store;
    this.changes = changes;
  }

  public LocalEntity resolve(EntityType type, String id, Resolution resolution, long now, List<SyncEvent> events) {
    return resolve(open(type, id), resolution, now, events);
  }

  /** Settles the conflict with the state {@code resolver} chooses. */
  public LocalEntity resolve(EntityType type, String id, ConflictResolver resolver, long now, List<SyncEvent> events) {
    Conflict conflict = open(type, id);
    return resolve(conflict, resolver.resolve(conflict), now, events);
  }

  /** Settles every open conflict with {@code resolver}; returns how many. */
  public int resolveAll(ConflictResolver resolver, long now, List<SyncEvent> events) {
    List<Conflict> open = store.conflicts();
    open.forEach(conflict -> resolve(conflict, resolver.resolve(conflict), now, events));
    return open.size();
  }

  private Conflict open(EntityType type, String id) {
    return store.conflict(type, id)
        .orElseThrow(() -> new IllegalArgumentException("no conflict on " + type.singular() + " " + id));
  }

  private LocalEntity resolve(Conflict conflict, Resolution resolution, long now, List<SyncEvent> events) {
    EntityType type = conflict.type();
    String id = conflict.entityId();
    LocalEntity local = store.entity(type, id).orElseThrow();
    VectorClock dominating = local.clock().merge(conflict.remote().clock());
    JsonObject remoteFields = conflict.remote().fields();
    LocalEntity rebased = new LocalEntity(type, id, local.fields(), local.clock(), local.deleted(),
        EntityStatus.PENDING, conflict.remote().deleted() ? null : remoteFields.copy(), local.serverMeta(),
        local.localModifiedAt());
    store.removeConflict(type, id);
    Operation operation = resolution.deleted() ? Operation.DELETE
        : conflict.remote().deleted() ? Operation.CREATE : Operation.UPDATE;
    JsonObject fields = resolution.deleted() ? local.fields().copy() : resolution.fields().copy();
    // The push carries the full state: a field the server holds and the resolution drops is cleared.
    remoteFields.fieldNames().stream().filter(f -> !fields.containsKey(f)).toList().forEach(fields::putNull);
    if (!resolution.deleted() && conflict.remote().deleted()) {
      // A resurrection is a create: every field must be sent, including those the remote lacks.
      remoteFields = new JsonObject();
    }
    LocalEntity resolved = changes.write(rebased, type, id, dominating, fields, resolution.deleted(), operation,
        changedFields(remoteFields, fields), now);
    events.add(SyncEvent.entity(SyncEvent.Type.CONFLICT_RESOLVED, type, id, resolved.clock(),
        resolution.deleted() ? "deleted" : "resolved"));
    return resolved;
  }

  private static Set<String> changedFields(JsonObject before, JsonObject after) {
    Set<String> changed = new LinkedHashSet<>();
    after.fieldNames().stream().filter(f -> !Objects.equals(before.getValue(f), after.getValue(f)))
        .forEach(changed::add);
    before.fieldNames().stream().filter(f -> !after.containsKey(f)).forEach(changed::add);
    return changed;
  }
}
