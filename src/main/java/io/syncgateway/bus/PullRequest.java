package io.syncgateway.bus;

import io.syncgateway.auth.Principal;
import io.syncgateway.entity.EntityType;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.EnumSet;
import java.util.Set;

/**
 * HTTP ingress → persistence ({@value Addresses#PULL_PAGE}): one pull page. Either {@code cursor}
 * (verified by persistence) or {@code sinceMillis} (0 = from the beginning) with an optional
 * {@code offset}; {@code deviceId} may be null.
 */
public record PullRequest(Principal principal, String deviceId, String cursor, long sinceMillis, Long offset,
    int limit, Set<EntityType> types) {

  public JsonObject toJson() {
    JsonArray names = new JsonArray();
    types.forEach(type -> names.add(type.singular()));
    return new JsonObject().put("principal", principal.toJson()).put("deviceId", deviceId).put("cursor", cursor)
        .put("sinceMillis", sinceMillis).put("offset", offset).put("limit", limit).put("types", names);
  }

  public static PullRequest fromJson(JsonObject json) {
    Set<EntityType> types = EnumSet.noneOf(EntityType.class);
    json.getJsonArray("types").forEach(name -> types.add(EntityType.fromName((String) name)));
    return new PullRequest(Principal.fromJson(json.getJsonObject("principal")), json.getString("deviceId"),
        json.getString("cursor"), json.getLong("sinceMillis", 0L), json.getLong("offset"), json.getInteger("limit"), types);
  }
}
