package io.syncgateway.batch;

import io.syncgateway.entity.EntityType;
import io.vertx.core.json.JsonObject;

/** An item that is not applied, with the item-level code of the wire contract. */
public record Rejection(EntityType type, String entityId, String code, String message, boolean retryable) {
  public static final String VALIDATION = "validation";
  public static final String FORBIDDEN = "forbidden";
  public static final String CHECKSUM_MISMATCH = "checksum_mismatch";
  public static final String MISSING_PARENT = "missing_parent";

  public static Rejection validation(EntityType type, String entityId, String message) {
    return new Rejection(type, entityId, VALIDATION, message, false);
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("entityType", type.singular())
        .put("entityId", entityId)
        .put("code", code)
        .put("message", message)
        .put("retryable", retryable);
  }

  public static Rejection fromJson(JsonObject json) {
    return new Rejection(EntityType.fromName(json.getString("entityType")), json.getString("entityId"),
        json.getString("code"), json.getString("message"), json.getBoolean("retryable", false));
  }
}
