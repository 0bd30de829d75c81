package io.syncgateway.persistence;

import io.syncgateway.entity.EntityRow;
import io.syncgateway.entity.EntityType;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

/** Maps entity rows between the database and {@link EntityRow}. */
final class Rows {
  private Rows() {}

  static EntityRow entity(EntityType type, Row row) {
    return entity(type, row, row.getJsonObject("data"));
  }

  private static EntityRow entity(EntityType type, Row row, JsonObject data) {
    return new EntityRow(
        type,
        row.getString("id"),
        data,
        EntityRow.clockOf(row.getJsonObject("vector_clock")),
        row.getLong("version"),
        row.getLong("created_at"),
        row.getString("created_by"),
        row.getLong("updated_at"),
        row.getString("last_modified_by"),
        row.getString("last_modified_device"),
        row.getLong("deleted_at"),
        row.getString("deleted_by"),
        row.getString("deleted_from_device"),
        row.getString("checksum"));
  }

  /** A row of a feed page: its state without domain fields, and their stored JSON text (never parsed). */
  record FeedEntry(EntityRow entity, String dataText) {}

  /** A row of a feed page ({@link SqlQueries#FEED_COLUMNS}), whose entity_type column names its table. */
  static FeedEntry feedEntry(Row row) {
    EntityType type = EntityType.fromName(row.getString("entity_type"));
    return new FeedEntry(entity(type, row, new JsonObject()), row.getString("data"));
  }

  /** Parameters of {@link SqlQueries#conditionalUpsert}: the state, written only over {@code expectedVersion}. */
  static Tuple upsertParameters(String orgId, EntityRow entity, long expectedVersion) {
    Tuple tuple = Tuple.tuple()
        .addString(orgId)
        .addString(entity.id())
        .addValue(entity.data())
        .addValue(entity.clock().toJson())
        .addLong(entity.version())
        .addLong(entity.createdAt())
        .addString(entity.createdBy())
        .addLong(entity.updatedAt())
        .addString(entity.lastModifiedBy())
        .addString(entity.lastModifiedDevice())
        .addLong(entity.deletedAt())
        .addString(entity.deletedBy())
        .addString(entity.deletedFromDevice())
        .addString(entity.checksum())
        .addLong(expectedVersion);
    if (entity.type().isChildOfTask()) {
      tuple.addString(entity.taskId());
    }
    return tuple;
  }

}
