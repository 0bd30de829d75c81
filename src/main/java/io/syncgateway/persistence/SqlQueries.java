package io.syncgateway.persistence;

import io.syncgateway.entity.EntityType;
import io.syncgateway.live.ChangeNotice;
import java.util.Arrays;
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
      + "last_modified_by, last_modified_device, deleted_at, deleted_by, deleted_from_device, checksum, feed_xid, feed_seq";

  /** The columns of a feed page: {@code data} as its stored JSON text, spliced into the page unparsed. */
  static final String FEED_COLUMNS = ENTITY_COLUMNS.replace("id, data, ", "id, data::text AS data, ");

  /** The id of the running transaction as a number (assigning one if it has none yet). */
  private static final String CURRENT_XID = "pg_current_xact_id()::text::bigint";

  /** The feed horizon: every transaction below it has finished, so its rows never change position again. */
  private static final String HORIZON = "pg_snapshot_xmin(pg_current_snapshot())::text::bigint";

  private static final String NOW_MS = "(extract(epoch FROM clock_timestamp()) * 1000)::bigint";

  static final String NOW = "SELECT " + NOW_MS + " AS now_ms";

  static final String FIND_BATCH = "SELECT response FROM push_batches WHERE device_id = $1 AND batch_id = $2";

  /**
   * Tells every gateway process listening on the channel that the organization's feed moved.
   * PostgreSQL delivers it only if the transaction commits, never after a rollback.
   */
  static final String NOTIFY_CHANGES = "SELECT pg_notify('" + ChangeNotice.CHANNEL + "', $1)";

  static final String INSERT_BATCH =
      "INSERT INTO push_batches (device_id, batch_id, org_id, response, created_at) VALUES ($1, $2, $3, $4, $5)";

  /** The constraint a concurrent commit of the same batchId runs into. */
  static final String BATCH_RECORD_KEY = "push_batches_pkey";

  /**
   * Locks the live parent tasks ($2) of the comments and attachments a push writes, so that a
   * concurrent delete of one of them waits for this push (or this push sees the delete and decides
   * again). Returns the ones still live.
   */
  static final String LOCK_LIVE_PARENTS =
      "SELECT id FROM tasks WHERE org_id = $1 AND id = ANY($2) AND deleted_at IS NULL ORDER BY id FOR SHARE";

  /** Live comments and attachments of tasks ($2): after a push deleted the tasks, there must be none. */
  static final String COUNT_LIVE_CHILDREN = "SELECT "
      + "(SELECT count(*) FROM comments WHERE org_id = $1 AND task_id = ANY($2) AND deleted_at IS NULL) + "
      + "(SELECT count(*) FROM attachments WHERE org_id = $1 AND task_id = ANY($2) AND deleted_at IS NULL) AS live";

  /**
   * Before a pull page: the server time, the transaction horizon, the next transaction id (a cursor
   * beyond it is beyond the end of the feed), the last purge, the horizon recorded at or before
   * server time $1 (null when $1 is null or nothing was recorded then), and when an admin forced
   * device $2 of organization $3 to resync (null when not, or when $2 is null).
   */
  static final String PULL_STATE = "SELECT n.now_ms, pg_snapshot_xmin(s.snap)::text::bigint AS horizon, "
      + "pg_snapshot_xmax(s.snap)::text::bigint AS next_xid, r.purged_at, r.cutoff, "
      + "(SELECT horizon FROM feed_horizons WHERE at_ms <= $1 ORDER BY at_ms DESC LIMIT 1) AS mark, "
      + "(SELECT resync_requested_at FROM devices WHERE device_id = $2 AND org_id = $3) AS resync_requested_at "
      + "FROM (SELECT " + NOW_MS + " AS now_ms) n CROSS JOIN (SELECT pg_current_snapshot() AS snap) s "
      + "LEFT JOIN retention_runs r ON r.id = 1";

  static final String CURRENT_HORIZON = "SELECT " + HORIZON + " AS horizon";

  /** Which horizon was reached when: maps a millisecond since onto a feed position. */
  static final String RECORD_HORIZON = "INSERT INTO feed_horizons (at_ms, horizon) SELECT " + NOW_MS + ", " + HORIZON;

  /**
   * How long the oldest transaction holding a transaction id has been running, in the whole
   * database cluster: the feed horizon cannot pass it, so pulls wait for it.
   */
  static final String OLDEST_TRANSACTION_AGE = "SELECT COALESCE(max(" + NOW_MS
      + " - (extract(epoch FROM xact_start) * 1000)::bigint), 0) AS age_ms FROM pg_stat_activity "
      + "WHERE backend_xid IS NOT NULL";

  /** Recorded before a purge deletes anything, so that pulls overtaken by it can tell. */
  static final String RECORD_PURGE = "INSERT INTO retention_runs (id, purged_at, cutoff) VALUES (1, $1, $2) "
      + "ON CONFLICT (id) DO UPDATE SET purged_at = EXCLUDED.purged_at, cutoff = EXCLUDED.cutoff";

  /**
   * The rule for a device heading for a resync, one for the metric and the admin API: its last pull
   * ({@code lastPullAt}, a column) is more than parameter {@code $n} ms ({@link ResyncRisk}) before
   * the database's now. Null (never pulled) is not heading for one.
   */
  private static String pullOverdue(String lastPullAt, int parameter) {
    return "COALESCE(" + lastPullAt + " < " + NOW_MS + " - $" + parameter + ", false)";
  }

  /** Devices heading for a resync (see {@link #pullOverdue}, threshold $1 ms). */
  static final String COUNT_PULL_OVERDUE_DEVICES = "SELECT count(*) AS overdue FROM devices "
      + "WHERE " + pullOverdue("last_pull_at", 1);

  /** A forced resync the device has done: cleared only if it is still the one the pull saw ($2). */
  static final String CLEAR_FORCED_RESYNC =
      "UPDATE devices SET resync_requested_at = NULL WHERE device_id = $1 AND resync_requested_at = $2";

  /**
   * Admin: the devices of organization $1, most recently seen first, at most $3, each with whether it
   * heads for a resync (threshold $2 ms) and its lag: how many entity states (tombstones included)
   * were written after its last pull (all, when it never pulled), leaving out states it wrote itself,
   * as a pull does. The feed position recorded at or before that pull bounds the index range: every
   * transaction that wrote later has an id at or above it.
   */
  static final String ADMIN_DEVICES = "SELECT d.device_id, d.user_id, d.first_seen_at, d.last_seen_at, "
      + "d.last_push_at, d.last_pull_at, d.resync_requested_at, "
      + pullOverdue("d.last_pull_at", 2) + " AS heading_for_resync, "
      + Arrays.stream(EntityType.values())
          .map(type -> "(SELECT count(*) FROM " + type.table() + " e WHERE e.org_id = d.org_id "
              + "AND e.feed_xid >= m.position AND e.updated_at > COALESCE(d.last_pull_at, -1) "
              + "AND e.last_modified_device IS DISTINCT FROM d.device_id)")
          .collect(Collectors.joining(" + ")) + " AS lag "
      + "FROM devices d CROSS JOIN LATERAL (SELECT COALESCE((SELECT horizon FROM feed_horizons "
      + "WHERE at_ms <= d.last_pull_at ORDER BY at_ms DESC LIMIT 1), 0) AS position) m "
      + "WHERE d.org_id = $1 ORDER BY d.last_seen_at DESC, d.device_id LIMIT $3";

  /** Admin: forces device $1 of organization $2 to resync, as of the database's now. None when no such device. */
  static final String FORCE_RESYNC = "UPDATE devices SET resync_requested_at = " + NOW_MS + " "
      + "WHERE device_id = $1 AND org_id = $2 RETURNING resync_requested_at";

  /**
   * Admin: the newest sync-log rows of organization $1, at most $5; device $2, user $3 and kind $4
   * filter when not null.
   */
  static final String ADMIN_SYNC_LOG = "SELECT id, device_id, user_id, sync_type, batch_id, entities_pushed, "
      + "entities_pulled, applied, acknowledged, superseded, conflicts, rejected, status, duration_ms, created_at, "
      + "outcomes::text AS outcomes FROM sync_logs WHERE org_id = $1 AND ($2::text IS NULL OR device_id = $2) "
      + "AND ($3::text IS NULL OR user_id = $3) AND ($4::text IS NULL OR sync_type = $4) "
      + "ORDER BY created_at DESC, id DESC LIMIT $5";

  /**
   * Admin: the conflicts and rejections recorded for organization $1 at or after $2 (ms), summed per
   * outcome, entity type and code (see {@link PushOutcomes}).
   */
  static final String ADMIN_OUTCOME_COUNTS = "SELECT o.outcome, o.\"entityType\" AS entity_type, o.code, "
      + "sum(o.count)::bigint AS count FROM sync_logs s "
      + "CROSS JOIN LATERAL jsonb_to_recordset(s.outcomes) AS o(outcome text, \"entityType\" text, code text, "
      + "count int) WHERE s.org_id = $1 AND s.created_at >= $2 AND s.outcomes IS NOT NULL "
      + "GROUP BY o.outcome, o.\"entityType\", o.code ORDER BY o.outcome, entity_type, o.code";

  static final String GET_TASK = "SELECT " + ENTITY_COLUMNS + " FROM tasks WHERE org_id = $1 AND id = $2";

  static final String TASK_COMMENTS = "SELECT " + ENTITY_COLUMNS + " FROM comments "
      + "WHERE org_id = $1 AND task_id = $2 AND deleted_at IS NULL ORDER BY created_at, id";

  private static final Map<EntityType, String> SELECT_BY_IDS = perType(type ->
      "SELECT " + ENTITY_COLUMNS + " FROM " + type.table() + " WHERE org_id = $1 AND id = ANY($2)");

  private static final Map<EntityType, String> LIVE_CHILDREN = perType(type ->
      "SELECT " + ENTITY_COLUMNS + " FROM " + type.table()
          + " WHERE org_id = $1 AND task_id = ANY($2) AND deleted_at IS NULL");

  private static final Map<EntityType, String> CONDITIONAL_UPSERT = perType(SqlQueries::buildConditionalUpsert);

  static String selectByIds(EntityType type) {
    return SELECT_BY_IDS.get(type);
  }

  static String liveChildren(EntityType type) {
    return LIVE_CHILDREN.get(type);
  }

  /**
   * Writes one entity state at a new feed position of this transaction, only if the stored version
   * is still $15 (0: no row) — the version its decision saw — and logs the position. Returns one row
   * when written, none when another push got there first.
   */
  static String conditionalUpsert(EntityType type) {
    return CONDITIONAL_UPSERT.get(type);
  }

  /**
   * One page of the change feed: entity states at positions after ($2, $3), written by transactions
   * below the horizon, not last written by device $4, oldest position first, at most $5 rows; each
   * row also carries the horizon and the newest transaction above it that already wrote one of the
   * types ($6) of the organization ({@code held}: committed, but not yet readable in order). One
   * statement, so the horizon and the rows come from the same snapshot.
   *
   * <p>The page also stops once the data of the rows before a row reaches $7 bytes (as text), so a
   * page of large entities holds a bounded amount of memory; the first row always comes.
   * {@code page_candidates} is the number of rows before that cut: more than were returned means
   * the page was cut and the feed goes on.
   */
  static String feedPage(Set<EntityType> types) {
    String branches = feedRowsPerType(types,
        "(feed_xid, feed_seq) > ($2, $3) AND feed_xid < h.horizon ORDER BY feed_xid, feed_seq LIMIT $5");
    return "WITH h AS MATERIALIZED (SELECT " + HORIZON + " AS horizon) "
        + "SELECT h.horizon, held.xid AS held, page.* FROM h "
        + "LEFT JOIN LATERAL (" + HELD + ") held ON true "
        + "LEFT JOIN LATERAL (SELECT * FROM (SELECT c.*, count(*) OVER () AS page_candidates, "
        + "coalesce(sum(octet_length(c.data)) OVER (ORDER BY c.feed_xid, c.feed_seq "
        + "ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS bytes_before "
        + "FROM (SELECT * FROM (" + branches + ") u ORDER BY feed_xid, feed_seq LIMIT $5) c) sized "
        + "WHERE sized.bytes_before < $7) page ON true "
        + "ORDER BY page.feed_xid, page.feed_seq";
  }

  /**
   * One page of offset paging: the feed slots (every position ever written, of the types $6) after
   * ($2, $3) and below the horizon, skipping $7 and taking at most $5, each with the entity state
   * still at that position (none when it moved on, or when device $4 wrote it). Slots below the
   * horizon never change, so windows never shift.
   */
  static String offsetPage(Set<EntityType> types) {
    String branches = feedRowsPerType(types, "feed_xid = s.xid AND feed_seq = s.seq");
    return "WITH h AS MATERIALIZED (SELECT " + HORIZON + " AS horizon), "
        + "s AS MATERIALIZED (SELECT l.xid, l.seq, l.written_at FROM feed_log l, h WHERE l.org_id = $1 "
        + "AND (l.xid, l.seq) > ($2, $3) AND l.xid < h.horizon AND l.entity_type = ANY($6) "
        + "ORDER BY l.xid, l.seq OFFSET $7 LIMIT $5) "
        + "SELECT h.horizon, held.xid AS held, s.xid AS slot_xid, s.seq AS slot_seq, s.written_at AS slot_written_at, "
        + "page.* FROM h "
        + "LEFT JOIN LATERAL (" + HELD + ") held ON true "
        + "LEFT JOIN s ON true "
        + "LEFT JOIN LATERAL (" + branches + ") page ON true "
        + "ORDER BY s.xid, s.seq";
  }

  /**
   * One SELECT of feed rows ({@link #FEED_COLUMNS}, with their type) per table, joined by UNION ALL:
   * rows of organization $1 not last written by device $4, and {@code condition} (which may end in
   * an ORDER BY and LIMIT of its own).
   */
  private static String feedRowsPerType(Set<EntityType> types, String condition) {
    return types.stream()
        .map(type -> "(SELECT '" + type.singular() + "' AS entity_type, " + FEED_COLUMNS + " FROM " + type.table()
            + " WHERE org_id = $1 AND last_modified_device IS DISTINCT FROM $4 AND " + condition + ")")
        .collect(Collectors.joining(" UNION ALL "));
  }

  /** The newest transaction at or above the horizon that wrote to the organization's feed (types $6). */
  private static final String HELD = "SELECT max(xid) AS xid FROM feed_log "
      + "WHERE org_id = $1 AND xid >= h.horizon AND entity_type = ANY($6)";

  /** Retention: tombstones, feed marks and logs older than $1 (server time). */
  static final List<String> PURGE_EXPIRED = List.of(
      "DELETE FROM tasks WHERE deleted_at < $1",
      "DELETE FROM comments WHERE deleted_at < $1",
      "DELETE FROM attachments WHERE deleted_at < $1",
      "DELETE FROM feed_horizons WHERE at_ms < $1",
      "DELETE FROM sync_logs WHERE created_at < $1");

  /**
   * Feed slots older than $1 whose entity has moved on (or whose tombstone was purged): run after
   * {@link #PURGE_EXPIRED}. Slots of current states stay, so offset paging from 0 still finds them.
   */
  static final List<String> PURGE_SUPERSEDED_SLOTS = Arrays.stream(EntityType.values())
      .map(type -> "DELETE FROM feed_log l WHERE l.entity_type = '" + type.singular() + "' AND l.written_at < $1 "
          + "AND NOT EXISTS (SELECT 1 FROM " + type.table() + " e WHERE e.org_id = l.org_id AND e.feed_xid = l.xid "
          + "AND e.feed_seq = l.seq)")
      .toList();

  /** Idempotency records older than $1. */
  static final String PURGE_BATCH_RECORDS = "DELETE FROM push_batches WHERE created_at < $1";

  private static String buildConditionalUpsert(EntityType type) {
    String columns = "org_id, id, data, vector_clock, version, created_at, created_by, updated_at, last_modified_by, "
        + "last_modified_device, deleted_at, deleted_by, deleted_from_device, checksum, feed_xid, feed_seq";
    String values = "$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, " + CURRENT_XID
        + ", nextval('feed_positions')";
    String updates = "data = EXCLUDED.data, vector_clock = EXCLUDED.vector_clock, version = EXCLUDED.version, "
        + "created_at = EXCLUDED.created_at, created_by = EXCLUDED.created_by, updated_at = EXCLUDED.updated_at, "
        + "last_modified_by = EXCLUDED.last_modified_by, last_modified_device = EXCLUDED.last_modified_device, "
        + "deleted_at = EXCLUDED.deleted_at, deleted_by = EXCLUDED.deleted_by, "
        + "deleted_from_device = EXCLUDED.deleted_from_device, checksum = EXCLUDED.checksum, "
        + "feed_xid = EXCLUDED.feed_xid, feed_seq = EXCLUDED.feed_seq";
    if (type.isChildOfTask()) {
      columns += ", task_id";
      values += ", $16";
      updates += ", task_id = EXCLUDED.task_id";
    }
    return "WITH written AS (INSERT INTO " + type.table() + " AS e (" + columns + ") VALUES (" + values + ") "
        + "ON CONFLICT (org_id, id) DO UPDATE SET " + updates + " WHERE e.version = $15 "
        + "RETURNING e.org_id, e.feed_xid, e.feed_seq, e.updated_at) "
        + "INSERT INTO feed_log (org_id, xid, seq, entity_type, written_at) "
        + "SELECT org_id, feed_xid, feed_seq, '" + type.singular() + "', updated_at FROM written RETURNING xid, seq";
  }

  private static Map<EntityType, String> perType(Function<EntityType, String> sql) {
    Map<EntityType, String> map = new EnumMap<>(EntityType.class);
    for (EntityType type : EntityType.values()) {
      map.put(type, sql.apply(type));
    }
    return map;
  }
}
