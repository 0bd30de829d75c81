package io.syncgateway.client.store;

import io.syncgateway.checksum.Checksums;
import io.syncgateway.clock.VectorClock;
import io.syncgateway.entity.EntityRow;
import io.syncgateway.entity.EntityType;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * One entity as a device holds it.
 *
 * @param fields the domain fields (taskId included; a null value means "cleared")
 * @param base the domain fields of the last state agreed with the server (null before the first
 *     sync); field-level merging compares both sides with it
 * @param serverMeta server-managed fields last seen from the server (version, updatedAt, …)
 * @param localModifiedAt client time of the last local change, 0 when none
 */
public record LocalEntity(EntityType type, String id, JsonObject fields, VectorClock clock, boolean deleted,
    EntityStatus status, JsonObject base, JsonObject serverMeta, long localModifiedAt) {

  /** The flat wire form: id, domain fields and vectorClock (nulls kept, so a push clears them). */
  public JsonObject wire() {
    JsonObject json = new JsonObject().put("id", id);
    if (!deleted) {
      fields.forEach(field -> json.put(field.getKey(), field.getValue()));
    }
    return json.put("vectorClock", clock.toJson());
  }

  /**
   * The §6 checksum of the entity's synced content: id, non-null domain fields and clock. Server
   * bookkeeping is left out because pulls skip a device's own writes, so a device never learns the
   * server's version counter of what it wrote itself.
   */
  public String checksum() {
    return contentChecksum(id, fields, clock);
  }

  public static String contentChecksum(String id, JsonObject fields, VectorClock clock) {
    JsonObject content = new JsonObject().put("id", id);
    fields.forEach(field -> {
      if (field.getValue() != null) {
        content.put(field.getKey(), field.getValue());
      }
    });
    return Checksums.of(content.put("vectorClock", clock.toJson()));
  }

  /** The updatedAt the server reported, or the local modification time when there is none. */
  public long updatedAt() {
    Long server = serverMeta == null ? null : serverMeta.getLong("updatedAt");
    return Math.max(server == null ? 0 : server, localModifiedAt);
  }

  public LocalEntity withStatus(EntityStatus next) {
    return new LocalEntity(type, id, fields, clock, deleted, next, base, serverMeta, localModifiedAt);
  }

  /** After the server acknowledged this state: it becomes the base for later merges. */
  public LocalEntity acknowledged() {
    return new LocalEntity(type, id, fields, clock, deleted, EntityStatus.SYNCED, fields.copy(), serverMeta,
        localModifiedAt);
  }

  public JsonObject toJson() {
    return new JsonObject().put("type", type.singular()).put("id", id).put("fields", fields)
        .put("vectorClock", clock.toJson()).put("deleted", deleted).put("status", status.name())
        .put("base", base).put("serverMeta", serverMeta).put("localModifiedAt", localModifiedAt);
  }

  public static LocalEntity fromJson(JsonObject json) {
    return new LocalEntity(EntityType.fromName(json.getString("type")), json.getString("id"),
        json.getJsonObject("fields"), clock(json.getJsonObject("vectorClock")), json.getBoolean("deleted"),
        EntityStatus.valueOf(json.getString("status")), json.getJsonObject("base"),
        json.getJsonObject("serverMeta"), json.getLong("localModifiedAt", 0L));
  }

  public static VectorClock clock(JsonObject json) {
    return json == null ? VectorClock.empty() : EntityRow.clockOf(json);
  }

  /** Keys of a server entity that are not domain fields. */
  public static boolean isServerKey(String key) {
    return EntityType.SERVER_MANAGED.contains(key) || key.equals("organizationId") || key.equals("id")
        || key.equals("vectorClock") || key.equals("deleted") || key.startsWith("_");
  }

  /** Splits a server entity (pull or conflict serverVersion) into domain fields. */
  public static JsonObject domainFields(JsonObject serverEntity) {
    JsonObject fields = new JsonObject();
    for (Map.Entry<String, Object> e : serverEntity) {
      if (!isServerKey(e.getKey())) {
        fields.put(e.getKey(), e.getValue());
      }
    }
    return fields;
  }

  /** The server-managed part of a server entity. */
  public static JsonObject serverFields(JsonObject serverEntity) {
    JsonObject meta = new JsonObject();
    for (String key : EntityType.SERVER_MANAGED) {
      if (serverEntity.containsKey(key)) {
        meta.put(key, serverEntity.getValue(key));
      }
    }
    return meta;
  }
}
