package io.syncgateway.bench;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A push body made ready for the floor target before the clock starts: the batch's tasks, one per
 * id, sorted by id (rows are locked and written in that order, so concurrent batches cannot deadlock),
 * as parallel arrays for {@code unnest}. {@code data} is a task's fields without id, operation and
 * clock; {@code checksum} is the SHA-256 of that JSON text.
 */
record FloorBatch(String orgId, String userId, String deviceId, String[] ids, String[] data, String[] clocks,
    String[] checksums) {

  static FloorBatch of(SimDevice device, JsonObject body) {
    JsonObject changes = body.getJsonObject("changes");
    if (!changes.fieldNames().equals(Set.of("task"))) {
      throw new IllegalArgumentException("The floor target writes tasks only, not " + changes.fieldNames());
    }
    Map<String, JsonObject> byId = new TreeMap<>();
    changes.getJsonArray("task").forEach(item -> {
      JsonObject task = (JsonObject) item;
      if ("delete".equals(task.getString("operation"))) {
        throw new IllegalArgumentException("The floor target creates and updates tasks, it does not delete them");
      }
      byId.put(task.getString("id"), task);
    });
    int size = byId.size();
    String[] ids = byId.keySet().toArray(new String[0]);
    String[] data = new String[size];
    String[] clocks = new String[size];
    String[] checksums = new String[size];
    for (int i = 0; i < size; i++) {
      JsonObject fields = byId.get(ids[i]).copy();
      fields.remove("id");
      fields.remove("operation");
      clocks[i] = ((JsonObject) fields.remove("vectorClock")).encode();
      data[i] = fields.encode();
      checksums[i] = sha256(data[i]);
    }
    return new FloorBatch(device.principal().orgId(), device.principal().userId(), device.deviceId(), ids, data,
        clocks, checksums);
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("Every JVM has SHA-256", e);
    }
  }
}
