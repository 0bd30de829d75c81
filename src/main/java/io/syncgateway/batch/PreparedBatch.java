package io.syncgateway.batch;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * A push whose envelope is valid: the device, the idempotency key, the items that passed
 * validation and those already rejected. {@code priority} is the most urgent item's.
 */
public record PreparedBatch(String deviceId, String batchId, JsonObject deviceClock, int priority,
    List<PushItem> items, List<Rejection> rejected) {

  public int itemCount() {
    return items.size() + rejected.size();
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("deviceId", deviceId)
        .put("batchId", batchId)
        .put("deviceClock", deviceClock)
        .put("priority", priority)
        .put("items", new JsonArray(items.stream().map(PushItem::toJson).toList()))
        .put("rejected", new JsonArray(rejected.stream().map(Rejection::toJson).toList()));
  }

  public static PreparedBatch fromJson(JsonObject json) {
    return new PreparedBatch(
        json.getString("deviceId"),
        json.getString("batchId"),
        json.getJsonObject("deviceClock"),
        json.getInteger("priority"),
        json.getJsonArray("items").stream().map(item -> PushItem.fromJson((JsonObject) item)).toList(),
        json.getJsonArray("rejected").stream().map(item -> Rejection.fromJson((JsonObject) item)).toList());
  }
}
