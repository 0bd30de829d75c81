package io.syncgateway.bus;

import io.syncgateway.auth.Principal;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/**
 * HTTP ingress → decode ({@value Addresses#PUSH_DECODE}): a push as it was received. {@code encoding}
 * is gzip, deflate or identity; {@code headerDeviceId} the X-Device-Id header, if any.
 */
public record PushRequest(Principal principal, String headerDeviceId, String encoding, Buffer body) {

  public JsonObject toJson() {
    return new JsonObject().put("principal", principal.toJson()).put("headerDeviceId", headerDeviceId)
        .put("encoding", encoding).put("body", body);
  }

  public static PushRequest fromJson(JsonObject json) {
    return new PushRequest(Principal.fromJson(json.getJsonObject("principal")), json.getString("headerDeviceId"),
        json.getString("encoding"), json.getBuffer("body"));
  }
}
