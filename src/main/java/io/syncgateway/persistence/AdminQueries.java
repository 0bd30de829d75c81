package io.syncgateway.persistence;

import io.syncgateway.bus.DeviceListQuery;
import io.syncgateway.bus.ErrorCode;
import io.syncgateway.bus.GatewayException;
import io.syncgateway.bus.OutcomeStatsQuery;
import io.syncgateway.bus.ResyncOrder;
import io.syncgateway.bus.SyncLogQuery;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

/**
 * The admin API's reads and its one write (docs/operations.md, "Admin API"). Every statement is
 * scoped by the principal's organization, never by anything the request names, so an admin of one
 * organization can neither see nor touch another's devices. Each runs through the database's
 * circuit breaker ({@link Database#guarded}): an outage answers 503 like a pull does.
 */
public final class AdminQueries {
  private final Database database;
  private final Pool pool;
  private final long retentionMs;

  public AdminQueries(Database database, long retentionMs) {
    this.database = database;
    this.pool = database.pool();
    this.retentionMs = retentionMs;
  }

  /** {@code {retentionMs, resyncWarningMs, devices: [...]}}. */
  public Future<JsonObject> devices(DeviceListQuery query) {
    long warningMs = ResyncRisk.warningAfterMs(retentionMs);
    return database.guarded(() -> pool.preparedQuery(SqlQueries.ADMIN_DEVICES)
        .execute(Tuple.of(query.principal().orgId(), warningMs, query.limit()))
        .map(rows -> {
          JsonArray devices = new JsonArray();
          rows.forEach(row -> devices.add(device(row)));
          return new JsonObject().put("retentionMs", retentionMs).put("resyncWarningMs", warningMs)
              .put("devices", devices);
        }));
  }

  private static JsonObject device(Row row) {
    return new JsonObject()
        .put("deviceId", row.getString("device_id"))
        .put("userId", row.getString("user_id"))
        .put("firstSeenAt", row.getLong("first_seen_at"))
        .put("lastSeenAt", row.getLong("last_seen_at"))
        .put("lastPushAt", row.getLong("last_push_at"))
        .put("lastPullAt", row.getLong("last_pull_at"))
        .put("lag", row.getLong("lag"))
        .put("headingForResync", row.getBoolean("heading_for_resync"))
        .put("resyncRequestedAt", row.getLong("resync_requested_at"));
  }

  /** {@code {deviceId, resyncRequestedAt}}; not_found for a device this organization does not own. */
  public Future<JsonObject> forceResync(ResyncOrder order) {
    return database.guarded(() -> pool.preparedQuery(SqlQueries.FORCE_RESYNC)
        .execute(Tuple.of(order.deviceId(), order.principal().orgId()))
        .map(rows -> {
          if (rows.size() == 0) {
            throw new GatewayException(ErrorCode.NOT_FOUND, "No such device in this organization");
          }
          return new JsonObject().put("deviceId", order.deviceId())
              .put("resyncRequestedAt", rows.iterator().next().getLong("resync_requested_at"));
        }));
  }

  /** {@code {entries: [...]}}, newest first. */
  public Future<JsonObject> syncLog(SyncLogQuery query) {
    Tuple parameters = Tuple.of(query.principal().orgId(), query.deviceId(), query.userId(), query.kind(),
        query.limit());
    return database.guarded(() -> pool.preparedQuery(SqlQueries.ADMIN_SYNC_LOG).execute(parameters)
        .map(rows -> {
          JsonArray entries = new JsonArray();
          rows.forEach(row -> entries.add(logEntry(row)));
          return new JsonObject().put("entries", entries);
        }));
  }

  private static JsonObject logEntry(Row row) {
    String outcomes = row.getString("outcomes");
    return new JsonObject()
        .put("id", row.getLong("id"))
        .put("kind", row.getString("sync_type"))
        .put("deviceId", row.getString("device_id"))
        .put("userId", row.getString("user_id"))
        .put("batchId", row.getString("batch_id"))
        .put("status", row.getString("status"))
        .put("createdAt", row.getLong("created_at"))
        .put("durationMs", row.getInteger("duration_ms"))
        .put("entitiesPushed", row.getInteger("entities_pushed"))
        .put("entitiesPulled", row.getInteger("entities_pulled"))
        .put("applied", row.getInteger("applied"))
        .put("acknowledged", row.getInteger("acknowledged"))
        .put("superseded", row.getInteger("superseded"))
        .put("conflicts", row.getInteger("conflicts"))
        .put("rejected", row.getInteger("rejected"))
        .put("outcomes", outcomes == null ? new JsonArray() : new JsonArray(outcomes));
  }

  /** {@code {since, until, windowMs, conflicts: [{entityType, count}], rejections: [{entityType, code, count}]}}. */
  public Future<JsonObject> outcomeStats(OutcomeStatsQuery query) {
    long until = System.currentTimeMillis();
    long since = until - query.windowMs();
    return database.guarded(() -> pool.preparedQuery(SqlQueries.ADMIN_OUTCOME_COUNTS)
        .execute(Tuple.of(query.principal().orgId(), since))
        .map(rows -> {
          JsonArray conflicts = new JsonArray();
          JsonArray rejections = new JsonArray();
          for (Row row : rows) {
            JsonObject count = new JsonObject().put("entityType", row.getString("entity_type"));
            if (PushOutcomes.CONFLICT.equals(row.getString("outcome"))) {
              conflicts.add(count.put("count", row.getLong("count")));
            } else {
              rejections.add(count.put("code", row.getString("code")).put("count", row.getLong("count")));
            }
          }
          return new JsonObject().put("since", since).put("until", until).put("windowMs", query.windowMs())
              .put("conflicts", conflicts).put("rejections", rejections);
        }));
  }
}
