package io.syncgateway.batch;

import io.syncgateway.entity.Operation;
import io.syncgateway.clock.VectorClock;
import io.syncgateway.entity.EntityRow;
import io.syncgateway.entity.EntityType;
import io.vertx.core.json.JsonObject;

/**
 * One validated pushed item in flat form: the domain fields it carries ({@code fields}, where null
 * clears a field), its clock and operation. {@code index} is its position in the batch.
 */
public record PushItem(EntityType type, String id, Operation operation, VectorClock clock,
    int priority, JsonObject fields, int index) {

  public boolean isDelete() {
    return operation == Operation.DELETE;
  }

  /** The task a comment or attachment names, when the item names one. */
  public String taskId() {
    return fields.getString("taskId");
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("type", type.singular())
        .put("id", id)
        .put("op", operation.wire())
        .put("clock", clock.toJson())
        .put("priority", priority)
        .put("fields", fields)
        .put("index", index);
  }

  public static PushItem fromJson(JsonObject json) {
    return new PushItem(
        EntityType.fromName(json.getString("type")),
        json.getString("id"),
        Operation.fromWire(json.getString("op")),
        EntityRow.clockOf(json.getJsonObject("clock")),
        json.getInteger("priority"),
        json.getJsonObject("fields"),
        json.getInteger("index"));
  }
}
