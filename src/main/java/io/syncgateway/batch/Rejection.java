package io.syncgateway.batch;

import io.syncgateway.entity.EntityType;
import io.vertx.core.json.JsonObject;

/**
 * An item that is not applied, with the item-level code of the wire contract. Its texts may quote
 * what the client sent (an invalid id, a field name); they are sent as JSON and stored with the
 * batch for batchId replays (jsonb), which hold neither U+0000 nor unpaired surrogates: those
 * become U+FFFD here, once for every rejection.
 */
public record Rejection(EntityType type, String entityId, String code, String message, boolean retryable) {
  public static final String VALIDATION = "validation";
  public static final String FORBIDDEN = "forbidden";
  public static final String CHECKSUM_MISMATCH = "checksum_mismatch";
  public static final String MISSING_PARENT = "missing_parent";
  private static final int REPLACEMENT = 0xFFFD;

  public Rejection {
    entityId = storable(entityId);
    message = storable(message);
  }

  public static Rejection validation(EntityType type, String entityId, String message) {
    return new Rejection(type, entityId, VALIDATION, message, false);
  }

  private static String storable(String text) {
    if (text == null || !ItemParser.unstorable(text)) {
      return text;
    }
    StringBuilder storable = new StringBuilder(text.length());
    text.codePoints().forEach(codePoint -> storable.appendCodePoint(
        codePoint == 0 || (codePoint >= Character.MIN_SURROGATE && codePoint <= Character.MAX_SURROGATE)
            ? REPLACEMENT : codePoint));
    return storable.toString();
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
