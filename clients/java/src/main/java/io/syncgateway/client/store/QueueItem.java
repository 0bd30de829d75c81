package io.syncgateway.client.store;

import io.syncgateway.entity.Operation;
import io.syncgateway.clock.VectorClock;
import io.syncgateway.entity.EntityType;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * One entry of the sync queue: the full state of one entity to push. A device holds at most one
 * pending item per entity (a later change replaces the payload, keeping the item's age and the most
 * urgent priority); failed items stay apart until the app requeues them.
 *
 * @param seq the store's key, increasing in enqueue order
 * @param payload the flat push item (id, fields, vectorClock) without operation or priority
 */
public record QueueItem(long seq, EntityType type, String entityId, Operation operation, int priority,
    Set<String> changedFields, JsonObject payload, VectorClock clock, long createdAt, int retryCount,
    long nextAttemptAt, QueueState state, String lastError) {

  /** The item as pushed: its payload plus operation, priority and changedFields. */
  public JsonObject pushItem() {
    JsonObject item = payload.copy().put("operation", operation.wire()).put("priority", priority);
    if (!changedFields.isEmpty() && operation == Operation.UPDATE) {
      item.put("changedFields", new JsonArray(changedFields.stream().sorted().toList()));
    }
    return item;
  }

  public QueueItem withRetry(int retries, long nextAttempt, QueueState nextState, String error) {
    return new QueueItem(seq, type, entityId, operation, priority, changedFields, payload, clock, createdAt, retries,
        nextAttempt, nextState, error);
  }

  public JsonObject toJson() {
    return new JsonObject().put("seq", seq).put("type", type.singular()).put("entityId", entityId)
        .put("operation", operation.wire()).put("priority", priority)
        .put("changedFields", new JsonArray(changedFields.stream().toList())).put("payload", payload)
        .put("vectorClock", clock.toJson()).put("createdAt", createdAt).put("retryCount", retryCount)
        .put("nextAttemptAt", nextAttemptAt).put("state", state.name()).put("lastError", lastError);
  }

  public static QueueItem fromJson(JsonObject json) {
    Set<String> changed = new LinkedHashSet<>();
    json.getJsonArray("changedFields").forEach(field -> changed.add((String) field));
    return new QueueItem(json.getLong("seq"), EntityType.fromName(json.getString("type")), json.getString("entityId"),
        Operation.fromWire(json.getString("operation")), json.getInteger("priority"), changed,
        json.getJsonObject("payload"), LocalEntity.clock(json.getJsonObject("vectorClock")),
        json.getLong("createdAt"), json.getInteger("retryCount"), json.getLong("nextAttemptAt"),
        QueueState.valueOf(json.getString("state")), json.getString("lastError"));
  }
}
