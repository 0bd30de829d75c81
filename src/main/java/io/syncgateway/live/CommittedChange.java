package io.syncgateway.live;

import io.syncgateway.entity.EntityRow;
import io.syncgateway.entity.EntityType;
import io.syncgateway.entity.Operation;
import io.vertx.core.json.JsonObject;

/**
 * One entity state a push committed, as the change stream announces it: its type, id, what happened
 * to it, and its feed position {@code (xid, seq)}. The plain stream carries no fields (a subscriber
 * that needs the state pulls it); the stream with bodies adds the entity as a pull returns it.
 */
public record CommittedChange(EntityType type, String id, Operation operation, long xid, long seq, EntityRow row) {

  /** The row as written at {@code (xid, seq)}: a tombstone is a delete, version 1 a create. */
  public static CommittedChange of(EntityRow row, long xid, long seq) {
    Operation operation = row.isDeleted() ? Operation.DELETE : row.version() == 1 ? Operation.CREATE : Operation.UPDATE;
    return new CommittedChange(row.type(), row.id(), operation, xid, seq, row);
  }

  /** {@link #toJson()} plus {@code entity}: the state as a pull returns it (a tombstone for a delete). */
  public JsonObject toJsonWithBody(String org) {
    return toJson().put("entity", row.toEntityJson(org));
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("type", type.singular())
        .put("id", id)
        .put("operation", operation.wire())
        .put("position", new JsonObject().put("xid", xid).put("seq", seq));
  }
}
