package io.syncgateway.bus;

import io.vertx.core.json.JsonObject;

/**
 * The reply that travels back along the push pipeline to HTTP: the wire response, and for the request
 * log the device, what was applied and acknowledged, and whether it replayed a recorded batchId.
 */
public record PushResult(String deviceId, JsonObject response, int applied, int acknowledged, boolean replayed) {

  public JsonObject toJson() {
    return new JsonObject().put("deviceId", deviceId).put("response", response).put("applied", applied)
        .put("acknowledged", acknowledged).put("replayed", replayed);
  }

  public static PushResult fromJson(JsonObject json) {
    return new PushResult(json.getString("deviceId"), json.getJsonObject("response"), json.getInteger("applied"),
        json.getInteger("acknowledged"), json.getBoolean("replayed"));
  }
}
