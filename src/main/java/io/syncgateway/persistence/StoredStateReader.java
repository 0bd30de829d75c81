package io.syncgateway.persistence;

import io.syncgateway.auth.Principal;
import io.syncgateway.batch.PreparedBatch;
import io.syncgateway.batch.PushItem;
import io.syncgateway.entity.EntityRow;
import io.syncgateway.entity.EntityType;
import io.syncgateway.entity.StoredState;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
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
 * Reads the {@link StoredState} a push is decided on, in one round trip on one connection, without a
 * transaction or a lock: the commit checks later that nothing it relied on has changed.
 */
public final class StoredStateReader {
  private final Pool pool;
  private final DeviceBindings bindings;

  public StoredStateReader(Pool pool, DeviceBindings bindings) {
    this.pool = pool;
    this.bindings = bindings;
  }

  /** Also binds the device (a cached read after its first contact). */
  public Future<StoredState> read(Principal principal, PreparedBatch batch) {
    Future<Void> bound = bindings.bind(batch.deviceId(), principal.orgId(), principal.userId(),
        System.currentTimeMillis());
    Future<StoredState> read = pool.withConnection(connection -> new Reading(connection, principal, batch).run());
    return Future.all(bound, read).map(both -> read.result());
  }

  /** One read: its statements are pipelined on the connection. */
  private record Reading(SqlConnection connection, Principal principal, PreparedBatch batch) {

    Future<StoredState> run() {
      Future<Long> now = connection.query(SqlQueries.NOW).execute()
          .map(rows -> rows.iterator().next().getLong("now_ms"));
      Future<JsonObject> recorded = findRecordedResponse();
      Future<List<EntityRow>> stored = named();
      Future<List<EntityRow>> children = liveChildrenOfDeletedTasks();
      return Future.all(now, recorded, stored, children)
          .map(read -> new StoredState(now.result(), recorded.result(), stored.result(), children.result()));
    }

    private Future<JsonObject> findRecordedResponse() {
      if (batch.batchId() == null) {
        return Future.succeededFuture();
      }
      return connection.preparedQuery(SqlQueries.FIND_BATCH)
          .execute(Tuple.of(batch.deviceId(), batch.batchId()))
          .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getJsonObject("response"));
    }

    /** The stored rows the items name, and their parent tasks. */
    private Future<List<EntityRow>> named() {
      Map<EntityType, Set<String>> ids = new EnumMap<>(EntityType.class);
      for (PushItem item : batch.items()) {
        ids.computeIfAbsent(item.type(), type -> new LinkedHashSet<>()).add(item.id());
        if (item.taskId() != null) {
          ids.computeIfAbsent(EntityType.TASK, type -> new LinkedHashSet<>()).add(item.taskId());
        }
      }
      return concat(ids.entrySet().stream()
          .map(entry -> select(entry.getKey(), SqlQueries.selectByIds(entry.getKey()), entry.getValue()))
          .toList());
    }

    private Future<List<EntityRow>> liveChildrenOfDeletedTasks() {
      Set<String> deletedTasks = new LinkedHashSet<>();
      batch.items().stream().filter(item -> item.type() == EntityType.TASK && item.isDelete())
          .forEach(item -> deletedTasks.add(item.id()));
      if (deletedTasks.isEmpty()) {
        return Future.succeededFuture(List.of());
      }
      return concat(Stream.of(EntityType.values())
          .filter(EntityType::isChildOfTask)
          .map(type -> select(type, SqlQueries.liveChildren(type), deletedTasks))
          .toList());
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

    private static Future<List<EntityRow>> concat(List<Future<List<EntityRow>>> parts) {
      return Future.all(parts).map(loaded -> {
        List<EntityRow> all = new ArrayList<>();
        parts.forEach(part -> all.addAll(part.result()));
        return all;
      });
    }
  }
}
