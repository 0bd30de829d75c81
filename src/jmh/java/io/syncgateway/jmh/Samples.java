package io.syncgateway.jmh;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Typical payloads: a task as a client sends it, and a push of 100 of them. */
final class Samples {
  private Samples() {}

  static JsonObject task(int n) {
    return new JsonObject()
        .put("id", "laptop-7-t" + n)
        .put("operation", "update")
        .put("title", String.format("Prepare quarterly report part %07d r01", n))
        .put("description", ("Collect the figures from the regional teams, reconcile them with the finance export "
            + "and write a short summary of what changed since the last review. Flag anything that moved by more "
            + "than five percent and attach the source sheets. Ask the owners of open items for a date, and note "
            + "the risks that need a decision at the next planning meeting. ") + n)
        .put("status", "in_progress")
        .put("assignedTo", "user-" + n % 17)
        .put("tags", new JsonArray().add("reporting").add("q3").add("team-" + n % 7))
        .put("customFields", new JsonObject().put("priority", "high").put("estimateHours", 5).put("sprint", "S-42"))
        .put("position", n)
        .put("vectorClock", new JsonObject().put("laptop-7", 3L).put("phone-2", 1L));
  }

  static JsonObject batch(int items) {
    JsonArray tasks = new JsonArray();
    for (int n = 0; n < items; n++) {
      tasks.add(task(n));
    }
    return new JsonObject().put("deviceId", "laptop-7").put("batchId", "b-1")
        .put("timestamp", 1_700_000_000_000L).put("changes", new JsonObject().put("task", tasks));
  }
}
