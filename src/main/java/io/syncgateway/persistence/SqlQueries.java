package io.syncgateway.persistence;

import io.syncgateway.entity.EntityType;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Every SQL statement of the gateway. Table names come from {@link EntityType} constants only;
 * every value is a bind parameter.
 */
final class SqlQueries {
  private SqlQueries() {}

  static final String ENTITY_COLUMNS = "id, data, vector_clock, version, created_at, created_by, updated_at, "
      + "last_modified_by, last_modified_device, deleted_at, deleted_by, deleted_from_device, checksum, feed_seq";

  /**
   * Binds a device to its first (organization, user) and records the visit; returns no row when the
   * device belongs to someone else. $1 device, $2 org, $3 user, $4 now, $5 pushed clock or null,
   * $6 'push' or 'pull'.
   */
  static final String BIND_DEVICE = "INSERT INTO devices AS d (device_id, org_id, user_id, first_seen_at, last_seen_at, "
      + "last_push_at, last_pull_at, vector_clock) "
      + "VALUES ($1, $2, $3, $4::bigint, $4::bigint, CASE WHEN $6::text = 'push' THEN $4::bigint END, "
      + "CASE WHEN $6::text = 'pull' THEN $4::bigint END, $5::jsonb) "
      + "ON CONFLICT (device_id) DO UPDATE SET last_seen_at = EXCLUDED.last_seen_at, "
      + "last_push_at = COALESCE(EXCLUDED.last_push_at, d.last_push_at), "
      + "last_pull_at = COALESCE(EXCLUDED.last_pull_at, d.last_pull_at), "
      + "vector_clock = COALESCE(EXCLUDED.vector_clock, d.vector_clock) "
      + "WHERE d.org_id = EXCLUDED.org_id AND d.user_id = EXCLUDED.user_id RETURNING device_id";

  /**
   * Takes the organization's feed lock for the rest of the transaction: pushes of one organization
   * commit one at a time, so feed positions are handed out in commit order. Also reads the server time.
   */
  static final String LOCK_FEED = "INSERT INTO feed_counters AS f (org_id) VALUES ($1) "
      + "ON CONFLICT (org_id) DO UPDATE SET org_id = f.org_id "
      + "RETURNING last_seq, vector_clock, (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS now_ms";

  /**
   * Moves the organization's feed to position $2 with clock $3 and records the mark (position $2
   * reached at server time $4), in one statement. Runs under the feed lock the transaction holds.
   */
  static final String ADVANCE_FEED_AND_MARK = "WITH advanced AS (UPDATE feed_counters SET last_seq = $2, "
      + "vector_clock = $3, updated_at = $4 WHERE org_id = $1 RETURNING org_id, last_seq) "
      + "INSERT INTO feed_marks (org_id, last_seq, at_ms) SELECT org_id, last_seq, $4 FROM advanced";

  static final String FIND_BATCH = "SELECT response FROM push_batches WHERE device_id = $1 AND batch_id = $2";

  static final String INSERT_BATCH =
      "INSERT INTO push_batches (device_id, batch_id, org_id, response, created_at) VALUES ($1, $2, $3, $4, $5)";

  static final String INSERT_SYNC_LOG = "INSERT INTO sync_logs (org_id, device_id, user_id, sync_type, batch_id, "
      + "entities_pushed, entities_pulled, applied, acknowledged, superseded, conflicts, rejected, status, "
      + "duration_ms, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)";

  /** The feed position reached and the server clock, read before a pull page. */
  static final String FEED_STATE = "SELECT f.last_seq, f.vector_clock, n.now_ms, r.purged_at, r.cutoff "
      + "FROM (SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS now_ms) n "
      + "LEFT JOIN feed_counters f ON f.org_id = $1 LEFT JOIN retention_runs r ON r.id = 1";

  /** Recorded before a purge deletes anything, so that pulls overtaken by it can tell. */
  static final String RECORD_PURGE = "INSERT INTO retention_runs (id, purged_at, cutoff) VALUES (1, $1, $2) "
      + "ON CONFLICT (id) DO UPDATE SET purged_at = EXCLUDED.purged_at, cutoff = EXCLUDED.cutoff";

  static final String NOW = "SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS now_ms";

  /** The last feed position reached before a server time ($2). */
  static final String POSITION_BEFORE =
      "SELECT COALESCE(max(last_seq), 0) AS seq FROM feed_marks WHERE org_id = $1 AND at_ms < $2";

  /** When position $2 was written: the time of the push transaction that reached it. */
  static final String POSITION_TIME =
      "SELECT at_ms FROM feed_marks WHERE org_id = $1 AND last_seq >= $2 ORDER BY last_seq LIMIT 1";

  /** Devices whose last pull is older than $1 ms before the database's now: heading for a resync. */
  static final String COUNT_PULL_OVERDUE_DEVICES = "SELECT count(*) AS overdue FROM devices "
      + "WHERE last_pull_at < (extract(epoch FROM clock_timestamp()) * 1000)::bigint - $1";

  static final String GET_TASK = "SELECT " + ENTITY_COLUMNS + " FROM tasks WHERE org_id = $1 AND id = $2";

  static final String TASK_COMMENTS = "SELECT " + ENTITY_COLUMNS + " FROM comments "
      + "WHERE org_id = $1 AND task_id = $2 AND deleted_at IS NULL ORDER BY created_at, id";

  private static final Map<EntityType, String> SELECT_BY_IDS = perType(type ->
      "SELECT " + ENTITY_COLUMNS + " FROM " + type.table() + " WHERE org_id = $1 AND id = ANY($2)");

  private static final Map<EntityType, String> LIVE_CHILDREN = perType(type ->
      "SELECT " + ENTITY_COLUMNS + " FROM " + type.table()
          + " WHERE org_id = $1 AND task_id = ANY($2) AND deleted_at IS NULL");

  private static final Map<EntityType, String> UPSERT = perType(SqlQueries::buildUpsert);

  static String selectByIds(EntityType type) {
    return SELECT_BY_IDS.get(type);
  }

  static String liveChildren(EntityType type) {
    return LIVE_CHILDREN.get(type);
  }

  static String upsert(EntityType type) {
    return UPSERT.get(type);
  }

  /**
   * One page of the change feed: entity states whose feed position is in ($2, $3], not last written
   * by device $4, oldest first, at most $5 rows. Each branch walks its (org_id, feed_seq) index.
   */
  static String feedPage(Set<EntityType> types) {
    return types.stream()
        .map(type -> "(SELECT '" + type.singular() + "' AS entity_type, " + ENTITY_COLUMNS + " FROM " + type.table()
            + " WHERE org_id = $1 AND feed_seq > $2 AND feed_seq <= $3"
            + " AND last_modified_device IS DISTINCT FROM $4 ORDER BY feed_seq LIMIT $5)")
        .collect(Collectors.joining(" UNION ALL ", "SELECT * FROM (", ") feed ORDER BY feed_seq LIMIT $5"));
  }

  /** Retention: tombstones, feed marks and logs older than $1 (server time). */
  static final List<String> PURGE_EXPIRED = List.of(
      "DELETE FROM tasks WHERE deleted_at < $1",
      "DELETE FROM comments WHERE deleted_at < $1",
      "DELETE FROM attachments WHERE deleted_at < $1",
      "DELETE FROM feed_marks WHERE at_ms < $1",
      "DELETE FROM sync_logs WHERE created_at < $1");

  /** Idempotency records older than $1. */
  static final String PURGE_BATCH_RECORDS = "DELETE FROM push_batches WHERE created_at < $1";

  private static String buildUpsert(EntityType type) {
    String columns = "org_id, id, data, vector_clock, version, created_at, created_by, updated_at, last_modified_by, "
        + "last_modified_device, deleted_at, deleted_by, deleted_from_device, checksum, feed_seq";
    String values = "$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15";
    String updates = "data = EXCLUDED.data, vector_clock = EXCLUDED.vector_clock, version = EXCLUDED.version, "
        + "created_at = EXCLUDED.created_at, created_by = EXCLUDED.created_by, updated_at = EXCLUDED.updated_at, "
        + "last_modified_by = EXCLUDED.last_modified_by, last_modified_device = EXCLUDED.last_modified_device, "
        + "deleted_at = EXCLUDED.deleted_at, deleted_by = EXCLUDED.deleted_by, "
        + "deleted_from_device = EXCLUDED.deleted_from_device, checksum = EXCLUDED.checksum, feed_seq = EXCLUDED.feed_seq";
    if (type.isChildOfTask()) {
      columns += ", task_id";
      values += ", $16";
      updates += ", task_id = EXCLUDED.task_id";
    }
    return "INSERT INTO " + type.table() + " (" + columns + ") VALUES (" + values + ") "
        + "ON CONFLICT (org_id, id) DO UPDATE SET " + updates;
  }

  private static Map<EntityType, String> perType(Function<EntityType, String> sql) {
    Map<EntityType, String> map = new EnumMap<>(EntityType.class);
    for (EntityType type : EntityType.values()) {
      map.put(type, sql.apply(type));
    }
    return map;
  }
}
