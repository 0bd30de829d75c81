package io.syncgateway.persistence;

import io.syncgateway.auth.Principal;
import io.syncgateway.batch.PreparedBatch;
import io.syncgateway.batch.PushItem;
import io.syncgateway.batch.Rejection;
import io.syncgateway.bus.ErrorCode;
import io.syncgateway.bus.GatewayException;
import io.syncgateway.clock.VectorClock;
import io.syncgateway.conflict.Decision;
import io.syncgateway.entity.EntityRow;
import io.syncgateway.entity.EntityType;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * One push, in one database transaction (see {@link #run()} for how its statements are sent): bind the device, take the organization's feed lock,
 * answer a replayed batchId from its record, else load the named entities, have the conflict
 * verticle decide every item, write the results at fresh feed positions and record the batch.
 */
public final class PushTransaction {
  private final SqlConnection connection;
  private final ItemDecider decider;
  private final Principal principal;
  private final PreparedBatch batch;
  private final long startedAt = System.nanoTime();
  private long lastSeq;
  private long now;
  private VectorClock orgClock;

  public PushTransaction(SqlConnection connection, ItemDecider decider, Principal principal, PreparedBatch batch) {
    this.connection = connection;
    this.decider = decider;
    this.principal = principal;
    this.batch = batch;
  }

  /** What a push came to: its response, and whether it was a replay of a recorded batchId. */
  public record Outcome(JsonObject response, boolean replayed, int applied, int acknowledged) {
    /** The reply on the bus (see {@code Addresses.PUSH_APPLY}): the wire response and, for the request log, the counts. */
    JsonObject toReply() {
      return new JsonObject().put("response", response).put("applied", applied).put("acknowledged", acknowledged)
          .put("replayed", replayed);
    }
  }

  /** Runs the push in a transaction of its own; what it came to. */
  public static Future<Outcome> apply(Pool pool, ItemDecider decider, Principal principal, PreparedBatch batch) {
    return pool.withTransaction(connection -> new PushTransaction(connection, decider, principal, batch).run());
  }

  /**
   * The statements are pipelined on the transaction's connection: binding the device, taking the
   * feed lock, looking up the batchId and loading the named rows go out together and run in that
   * order, so the loads still read under the lock; then the writes and the records go out together.
   * Two round trips under the lock instead of one per statement.
   */
  Future<Outcome> run() {
    Future<Void> bound = bindDevice();
    Future<Void> locked = lockFeed();
    Future<JsonObject> replayed = findReplay();
    Future<Stored> stored = loadStored();
    return Future.all(bound, locked, replayed, stored)
        .compose(ready -> replayed.result() != null ? logReplay(replayed.result()) : apply(stored.result()));
  }

  private Future<Void> bindDevice() {
    return connection.preparedQuery(SqlQueries.BIND_DEVICE)
        .execute(Tuple.of(batch.deviceId(), principal.orgId(), principal.userId(), System.currentTimeMillis(),
            batch.deviceClock(), "push"))
        .compose(rows -> rows.size() == 1 ? Future.succeededFuture() : Future.failedFuture(
            new GatewayException(ErrorCode.DEVICE_OWNED_BY_OTHER_USER, "This device id belongs to another user")));
  }

  private Future<Void> lockFeed() {
    return connection.preparedQuery(SqlQueries.LOCK_FEED).execute(Tuple.of(principal.orgId())).map(rows -> {
      Row row = rows.iterator().next();
      lastSeq = row.getLong("last_seq");
      orgClock = EntityRow.clockOf(row.getJsonObject("vector_clock"));
      now = row.getLong("now_ms");
      return null;
    });
  }

  private Future<JsonObject> findReplay() {
    if (batch.batchId() == null) {
      return Future.succeededFuture();
    }
    return connection.preparedQuery(SqlQueries.FIND_BATCH)
        .execute(Tuple.of(batch.deviceId(), batch.batchId()))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getJsonObject("response"));
  }

  private Future<Outcome> logReplay(JsonObject response) {
    return log("replayed", 0, 0, 0, 0, 0).map(new Outcome(response, true, 0, 0));
  }

  private Future<Outcome> apply(Stored stored) {
    return decider.decide(principal, batch.deviceId(), now, batch.items(), stored.rows(), stored.liveChildren())
        .compose(decision -> {
          Future<Void> written = write(decision);
          Future<Outcome> recorded = record(decision);
          return Future.all(written, recorded).map(both -> recorded.result());
        });
  }

  /** The stored rows the items name (and their parent tasks), and live children of deleted tasks. */
  private record Stored(List<EntityRow> rows, List<EntityRow> liveChildren) {}

  private Future<Stored> loadStored() {
    Map<EntityType, Set<String>> ids = new EnumMap<>(EntityType.class);
    Set<String> deletedTasks = new LinkedHashSet<>();
    for (PushItem item : batch.items()) {
      ids.computeIfAbsent(item.type(), type -> new LinkedHashSet<>()).add(item.id());
      if (item.taskId() != null) {
        ids.computeIfAbsent(EntityType.TASK, type -> new LinkedHashSet<>()).add(item.taskId());
      }
      if (item.type() == EntityType.TASK && item.isDelete()) {
        deletedTasks.add(item.id());
      }
    }
    List<Future<List<EntityRow>>> stored = ids.entrySet().stream()
        .map(entry -> select(entry.getKey(), SqlQueries.selectByIds(entry.getKey()), entry.getValue()))
        .toList();
    List<Future<List<EntityRow>>> children = deletedTasks.isEmpty() ? List.of() : Stream.of(EntityType.values())
        .filter(EntityType::isChildOfTask)
        .map(type -> select(type, SqlQueries.liveChildren(type), deletedTasks))
        .toList();
    return Future.all(Future.all(stored), Future.all(children))
        .map(loaded -> new Stored(concat(stored), concat(children)));
  }

  private Future<List<EntityRow>> select(EntityType type, String sql, Set<String> ids) {
    return connection.preparedQuery(sql)
        .execute(Tuple.tuple().addString(principal.orgId()).addArrayOfString(ids.toArray(String[]::new)))
        .map(rows -> {
          List<EntityRow> entities = new ArrayList<>(rows.size());
          rows.forEach(row -> entities.add(Rows.entity(type, row)));
          return entities;
        });
  }

  private static List<EntityRow> concat(List<Future<List<EntityRow>>> parts) {
    List<EntityRow> all = new ArrayList<>();
    parts.forEach(part -> all.addAll(part.result()));
    return all;
  }

  /** Writes every decided state at the next feed positions, in decision order. */
  private Future<Void> write(Decision decision) {
    if (decision.writes().isEmpty()) {
      return Future.succeededFuture();
    }
    Map<EntityType, List<Tuple>> byType = new EnumMap<>(EntityType.class);
    long seq = lastSeq;
    for (EntityRow row : decision.writes()) {
      byType.computeIfAbsent(row.type(), type -> new ArrayList<>())
          .add(Rows.upsertParameters(principal.orgId(), row, ++seq));
    }
    long reached = seq;
    orgClock = orgClock.merge(decision.writtenClock());
    List<Future<?>> statements = new ArrayList<>();
    byType.forEach((type, tuples) ->
        statements.add(connection.preparedQuery(SqlQueries.upsert(type)).executeBatch(tuples)));
    statements.add(connection.preparedQuery(SqlQueries.ADVANCE_FEED_AND_MARK)
        .execute(Tuple.of(principal.orgId(), reached, orgClock.toJson(), now)));
    lastSeq = reached;
    return Future.all(statements).mapEmpty();
  }

  private Future<Outcome> record(Decision decision) {
    List<Rejection> rejected = new ArrayList<>(batch.rejected());
    rejected.addAll(decision.rejected());
    JsonObject response = new JsonObject()
        .put("success", true)
        .put("processed", decision.applied() + decision.acknowledged())
        .put("conflicts", decision.conflicts())
        .put("superseded", decision.superseded())
        .put("rejected", new JsonArray(rejected.stream().map(Rejection::toJson).toList()))
        .put("serverVectorClock", orgClock.toJson());
    Future<RowSet<Row>> batchRecord = batch.batchId() == null ? Future.succeededFuture()
        : connection.preparedQuery(SqlQueries.INSERT_BATCH)
            .execute(Tuple.of(batch.deviceId(), batch.batchId(), principal.orgId(), response, now));
    Future<Void> log = log("success", decision.applied(), decision.acknowledged(), decision.superseded().size(),
        decision.conflicts().size(), rejected.size());
    return Future.all(batchRecord, log)
        .map(new Outcome(response, false, decision.applied(), decision.acknowledged()));
  }

  private Future<Void> log(String status, int applied, int acknowledged, int superseded, int conflicts,
      int rejected) {
    int durationMs = (int) ((System.nanoTime() - startedAt) / 1_000_000);
    return connection.preparedQuery(SqlQueries.INSERT_SYNC_LOG)
        .execute(Tuple.from(new Object[] {principal.orgId(), batch.deviceId(), principal.userId(), "push",
            batch.batchId(), batch.itemCount(), 0, applied, acknowledged, superseded, conflicts, rejected, status,
            durationMs, now}))
        .mapEmpty();
  }
}
