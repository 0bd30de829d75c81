package io.syncgateway.testsupport;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.UUID;

/** Builders for push bodies and items, so tests say what they push and nothing more. */
public final class Changes {
  private Changes() {}

  public static JsonObject clock(Object... deviceAndCounter) {
    JsonObject clock = new JsonObject();
    for (int i = 0; i < deviceAndCounter.length; i += 2) {
      clock.put((String) deviceAndCounter[i], ((Number) deviceAndCounter[i + 1]).longValue());
    }
    return clock;
  }

  public static JsonObject task(String id, JsonObject clock, String title) {
    return new JsonObject().put("id", id).put("vectorClock", clock).put("title", title);
  }

  public static JsonObject comment(String id, String taskId, JsonObject clock, String content) {
    return new JsonObject().put("id", id).put("taskId", taskId).put("vectorClock", clock).put("content", content);
  }

  public static JsonObject attachment(String id, String taskId, JsonObject clock, String filename) {
    return new JsonObject().put("id", id).put("taskId", taskId).put("vectorClock", clock).put("filename", filename);
  }

  public static JsonObject delete(String id, JsonObject clock) {
    return new JsonObject().put("id", id).put("operation", "delete").put("vectorClock", clock);
  }

  /** A push body: {deviceId, changes: {type: [items]}}; pairs of type name and item. */
  public static JsonObject batch(String deviceId, Object... typeAndItem) {
    JsonObject changes = new JsonObject();
    for (int i = 0; i < typeAndItem.length; i += 2) {
      String type = (String) typeAndItem[i];
      JsonArray items = changes.getJsonArray(type);
      if (items == null) {
        items = new JsonArray();
        changes.put(type, items);
      }
      items.add(typeAndItem[i + 1]);
    }
    return new JsonObject().put("deviceId", deviceId).put("changes", changes)
        .put("timestamp", System.currentTimeMillis());
  }

  public static String uniqueId(String prefix) {
    return prefix + "-" + UUID.randomUUID();
  }
}
