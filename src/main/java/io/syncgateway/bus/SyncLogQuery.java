package io.syncgateway.bus;

import io.syncgateway.auth.Principal;
import io.vertx.core.json.JsonObject;

/**
 * HTTP ingress → persistence ({@value Addresses#ADMIN_LOG}): the newest sync-log rows of the
 * admin's organization, at most {@code limit}; {@code deviceId}, {@code userId} and {@code kind}
 * ("push" or "pull") filter when not null.
 */
public record SyncLogQuery(Principal principal, String deviceId, String userId, String kind, int limit) {

  public JsonObject toJson() {
    return new JsonObject().put("principal", principal.toJson()).put("deviceId", deviceId).put("userId", userId)
        .put("kind", kind).put("limit", limit);
  }

  public static SyncLogQuery fromJson(JsonObject json) {
    return new SyncLogQuery(Principal.fromJson(json.getJsonObject("principal")), json.getString("deviceId"),
        json.getString("userId"), json.getString("kind"), json.getInteger("limit"));
  }
}
