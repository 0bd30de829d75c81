package io.syncgateway.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Realistic task items: a ~40-character title, a ~300-character description, status, assignee,
 * three tags and a few custom fields; and push bodies carrying them.
 */
final class TaskPayloads {
  private static final String[] STATUSES = {"todo", "in_progress", "review", "done"};
  private static final String DESCRIPTION = "Collect the figures from the regional teams, reconcile them with the "
      + "finance export and write a short summary of what changed since the last review. Flag anything that "
      + "moved by more than five percent and attach the source sheets. Ask the owners of open items for a "
      + "date, and note the risks that need a decision at the next planning meeting.";

  private TaskPayloads() {}

  static String taskId(String deviceId, int number) {
    return deviceId + "-t" + number;
  }

  /** A new task, first written by {@code deviceId}. */
  static JsonObject create(String deviceId, String taskId, int number) {
    return fields(new JsonObject().put("id", taskId).put("operation", "create"), number, 0)
        .put("vectorClock", new JsonObject().put(deviceId, 1L));
  }

  /** An update of title, status and description at {@code clock}. */
  static JsonObject update(String taskId, JsonObject clock, int number, int revision) {
    return fields(new JsonObject().put("id", taskId).put("operation", "update"), number, revision)
        .put("vectorClock", clock);
  }

  private static JsonObject fields(JsonObject item, int number, int revision) {
    return item
        .put("title", String.format("Prepare quarterly report part %07d r%02d", number, revision % 100))
        .put("description", DESCRIPTION.substring(0, DESCRIPTION.length() - 8) + String.format(" %07d", number))
        .put("status", STATUSES[(number + revision) % STATUSES.length])
        .put("assignedTo", "user-" + (number % 17))
        .put("tags", new JsonArray().add("reporting").add("q" + (1 + number % 4)).add("team-" + (number % 7)))
        .put("customFields", new JsonObject().put("priority", number % 3 == 0 ? "high" : "normal")
            .put("estimateHours", number % 8 + 1).put("sprint", "S-" + (40 + number % 5)))
        .put("position", number);
  }

  static JsonObject body(String deviceId, String batchId, List<JsonObject> tasks) {
    return new JsonObject()
        .put("deviceId", deviceId)
        .put("batchId", batchId)
        .put("timestamp", System.currentTimeMillis())
        .put("changes", new JsonObject().put("task", new JsonArray(tasks)));
  }
}
