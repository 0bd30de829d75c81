package io.syncgateway.bus;

import io.syncgateway.auth.Principal;
import io.vertx.core.json.JsonObject;

/**
 * HTTP ingress → persistence ({@value Addresses#ADMIN_STATS}): conflict and rejection counts of the
 * admin's organization per entity type and code, over the last {@code windowMs} milliseconds.
 */
public record OutcomeStatsQuery(Principal principal, long windowMs) {

  public JsonObject toJson() {
    return new JsonObject().put("principal", principal.toJson()).put("windowMs", windowMs);
  }

  public static OutcomeStatsQuery fromJson(JsonObject json) {
    return new OutcomeStatsQuery(Principal.fromJson(json.getJsonObject("principal")), json.getLong("windowMs"));
  }
}
