package io.syncgateway.bus;

import io.syncgateway.auth.Principal;
import io.vertx.core.json.JsonObject;

/**
 * HTTP ingress → persistence ({@value Addresses#ADMIN_DEVICES}): at most {@code limit} devices of
 * the admin's organization (always the token's), most recently seen first, with their sync state.
 */
public record DeviceListQuery(Principal principal, int limit) {

  public JsonObject toJson() {
    return new JsonObject().put("principal", principal.toJson()).put("limit", limit);
  }

  public static DeviceListQuery fromJson(JsonObject json) {
    return new DeviceListQuery(Principal.fromJson(json.getJsonObject("principal")), json.getInteger("limit"));
  }
}
