package io.syncgateway.live;

import io.syncgateway.entity.EntityType;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.EnumSet;
import java.util.Set;

/**
 * What a committed push tells other gateway processes (the payload of a NOTIFY on {@value #CHANNEL}):
 * the organization, the entity types it wrote, the device that pushed, and when (epoch ms). Small by
 * construction (an id of at most 128 characters and three type names), far below NOTIFY's 8000 bytes.
 */
public record ChangeNotice(String org, Set<EntityType> types, String device, long at) {
  /** The PostgreSQL channel every gateway process listens on. */
  public static final String CHANNEL = "sync_changes";

  public JsonObject toJson() {
    JsonArray names = new JsonArray();
    types.forEach(type -> names.add(type.singular()));
    return new JsonObject().put("org", org).put("types", names).put("device", device).put("at", at);
  }

  /** Null for a payload that is not a notice (another program notifying on the channel). */
  public static ChangeNotice fromJson(JsonObject json) {
    try {
      Set<EntityType> types = EnumSet.noneOf(EntityType.class);
      for (Object name : json.getJsonArray("types")) {
        EntityType type = EntityType.fromName((String) name);
        if (type != null) {
          types.add(type);
        }
      }
      String org = json.getString("org");
      return org == null ? null : new ChangeNotice(org, types, json.getString("device"), json.getLong("at", 0L));
    } catch (RuntimeException e) {
      return null;
    }
  }
}
