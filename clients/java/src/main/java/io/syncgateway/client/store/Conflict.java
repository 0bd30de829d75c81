package io.syncgateway.client.store;

import io.syncgateway.clock.VectorClock;
import io.syncgateway.entity.EntityType;
import io.vertx.core.json.JsonObject;

/**
 * Local and remote changed one entity concurrently. Both versions are kept with their clocks until
 * the app resolves the conflict; {@code base} is the last state both sides agreed on (may be null).
 */
public record Conflict(EntityType type, String entityId, Version local, Version remote, JsonObject base,
    long detectedAt) {

  /** One side of a conflict: domain fields (empty when deleted), clock and time of change. */
  public record Version(JsonObject fields, VectorClock clock, boolean deleted, long updatedAt) {
    public JsonObject toJson() {
      return new JsonObject().put("fields", fields).put("vectorClock", clock.toJson()).put("deleted", deleted)
          .put("updatedAt", updatedAt);
    }

    public static Version fromJson(JsonObject json) {
      return new Version(json.getJsonObject("fields"), LocalEntity.clock(json.getJsonObject("vectorClock")),
          json.getBoolean("deleted"), json.getLong("updatedAt", 0L));
    }

    public static Version of(LocalEntity entity) {
      return new Version(entity.fields().copy(), entity.clock(), entity.deleted(), entity.updatedAt());
    }

    /** JSON, so that logging a version never prints a clock's Java representation. */
    @Override
    public String toString() {
      return toJson().encode();
    }
  }

  public Conflict withRemote(Version newer) {
    return new Conflict(type, entityId, local, newer, base, detectedAt);
  }

  public Conflict withLocal(Version newer) {
    return new Conflict(type, entityId, newer, remote, base, detectedAt);
  }

  public JsonObject toJson() {
    return new JsonObject().put("type", type.singular()).put("entityId", entityId).put("local", local.toJson())
        .put("remote", remote.toJson()).put("base", base).put("detectedAt", detectedAt);
  }

  @Override
  public String toString() {
    return toJson().encode();
  }

  public static Conflict fromJson(JsonObject json) {
    return new Conflict(EntityType.fromName(json.getString("type")), json.getString("entityId"),
        Version.fromJson(json.getJsonObject("local")), Version.fromJson(json.getJsonObject("remote")),
        json.getJsonObject("base"), json.getLong("detectedAt"));
  }
}
