package io.syncgateway.entity;

import io.syncgateway.checksum.Checksums;
import io.syncgateway.clock.VectorClock;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The stored state of one entity of an organization: its domain fields ({@code data}) and its sync
 * metadata. A row with {@code deletedAt} is a tombstone. This is also the JSON shape that entity
 * states take on the event bus.
 */
public record EntityRow(
    EntityType type, String id, JsonObject data, VectorClock clock, long version,
    Long createdAt, String createdBy, long updatedAt, String lastModifiedBy, String lastModifiedDevice,
    Long deletedAt, String deletedBy, String deletedFromDevice, String checksum) {

  public boolean isDeleted() {
    return deletedAt != null;
  }

  public String taskId() {
    return data.getString("taskId");
  }

  /** The entity as clients see it (pull, GET, conflict serverVersion), checksum included. */
  public JsonObject toEntityJson(String orgId) {
    if (isDeleted()) {
      return deletedServerVersion();
    }
    JsonObject json = new JsonObject();
    writeEntity(orgId, json::put);
    return json;
  }

  /** The fields of a live entity as clients see it, in order, checksum last: for writers that stream. */
  public void writeEntity(String orgId, BiConsumer<String, Object> field) {
    writeEntity(orgId, field, () -> writeData(field));
  }

  /**
   * The same, with the domain fields written by {@code dataFields} where they belong (a writer that
   * has the stored text of {@code data} splices it in rather than parsing it and encoding it again).
   */
  public void writeEntity(String orgId, BiConsumer<String, Object> field, Runnable dataFields) {
    writeEntityWithoutChecksum(orgId, field, dataFields);
    field.accept("checksum", checksum);
  }

  /** What the checksum of a live entity covers: exactly what clients receive, minus the checksum. */
  public JsonObject entityWithoutChecksum(String orgId) {
    JsonObject json = new JsonObject();
    writeEntityWithoutChecksum(orgId, json::put, () -> writeData(json::put));
    return json;
  }

  private void writeData(BiConsumer<String, Object> field) {
    data.forEach(entry -> field.accept(entry.getKey(), entry.getValue()));
  }

  private void writeEntityWithoutChecksum(String orgId, BiConsumer<String, Object> field, Runnable dataFields) {
    field.accept("id", id);
    dataFields.run();
    field.accept("vectorClock", clock.toJson());
    field.accept("version", version);
    field.accept("createdAt", createdAt);
    field.accept("createdBy", createdBy);
    field.accept("updatedAt", updatedAt);
    field.accept("lastModifiedBy", lastModifiedBy);
    field.accept("lastModifiedDevice", lastModifiedDevice);
    field.accept("organizationId", orgId);
  }

  /** A tombstone as a conflict's serverVersion: {id, deleted, deletedAt, vectorClock, checksum}. */
  public JsonObject deletedServerVersion() {
    JsonObject json = deletedWithoutChecksum();
    return json.put("checksum", Checksums.of(json));
  }

  private JsonObject deletedWithoutChecksum() {
    return new JsonObject().put("id", id).put("deleted", true).put("deletedAt", deletedAt)
        .put("vectorClock", clock.toJson());
  }

  /** The fields of a tombstone as pull returns it, in order: for writers that stream. */
  public void writeTombstone(long retentionMs, BiConsumer<String, Object> field) {
    field.accept("entityType", type.singular());
    field.accept("entityId", id);
    field.accept("deletedAt", deletedAt);
    field.accept("deletedBy", deletedBy);
    field.accept("deletedFromDevice", deletedFromDevice);
    field.accept("vectorClock", clock.toJson());
    field.accept("expiresAt", deletedAt + retentionMs);
  }

  /** The same row with its checksum computed from its content. */
  public EntityRow withComputedChecksum(String orgId) {
    String sum = isDeleted() ? Checksums.of(deletedWithoutChecksum()) : Checksums.of(entityWithoutChecksum(orgId));
    return new EntityRow(type, id, data, clock, version, createdAt, createdBy, updatedAt, lastModifiedBy,
        lastModifiedDevice, deletedAt, deletedBy, deletedFromDevice, sum);
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("type", type.singular())
        .put("id", id)
        .put("data", data)
        .put("vectorClock", clock.toJson())
        .put("version", version)
        .put("createdAt", createdAt)
        .put("createdBy", createdBy)
        .put("updatedAt", updatedAt)
        .put("lastModifiedBy", lastModifiedBy)
        .put("lastModifiedDevice", lastModifiedDevice)
        .put("deletedAt", deletedAt)
        .put("deletedBy", deletedBy)
        .put("deletedFromDevice", deletedFromDevice)
        .put("checksum", checksum);
  }

  public static EntityRow fromJson(JsonObject json) {
    return new EntityRow(
        EntityType.fromName(json.getString("type")),
        json.getString("id"),
        json.getJsonObject("data"),
        clockOf(json.getJsonObject("vectorClock")),
        json.getLong("version"),
        json.getLong("createdAt"),
        json.getString("createdBy"),
        json.getLong("updatedAt"),
        json.getString("lastModifiedBy"),
        json.getString("lastModifiedDevice"),
        json.getLong("deletedAt"),
        json.getString("deletedBy"),
        json.getString("deletedFromDevice"),
        json.getString("checksum"));
  }

  /** Reads a clock the gateway itself stored (already validated when it was pushed). */
  public static VectorClock clockOf(JsonObject json) {
    Map<String, Long> counters = new LinkedHashMap<>();
    json.forEach(entry -> counters.put(entry.getKey(), ((Number) entry.getValue()).longValue()));
    return VectorClock.of(counters);
  }
}
