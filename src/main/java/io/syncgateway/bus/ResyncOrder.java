package io.syncgateway.bus;

import io.syncgateway.auth.Principal;
import io.vertx.core.json.JsonObject;

/**
 * HTTP ingress → persistence ({@value Addresses#ADMIN_RESYNC}): an admin forces a device of their
 * organization to resync (its next pull that continues from a position is answered 410).
 */
public record ResyncOrder(Principal principal, String deviceId) {

  public JsonObject toJson() {
    return new JsonObject().put("principal", principal.toJson()).put("deviceId", deviceId);
  }

  public static ResyncOrder fromJson(JsonObject json) {
    return new ResyncOrder(Principal.fromJson(json.getJsonObject("principal")), json.getString("deviceId"));
  }
}
