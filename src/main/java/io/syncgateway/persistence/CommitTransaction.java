package io.syncgateway.persistence;

import io.syncgateway.bus.DecidedPush;
import io.syncgateway.bus.ErrorCode;
import io.syncgateway.bus.GatewayException;
import io.syncgateway.bus.PushResult;
import io.syncgateway.entity.EntityRow;
import io.syncgateway.entity.EntityType;
import io.syncgateway.live.ChangeNotice;
import io.syncgateway.live.CommittedChange;
import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Commits one decided push in one transaction, without any organization-wide lock: every state is
 * written only over the version its decision saw; the live parents of written comments and
 * attachments are share-locked; tasks it deletes must have no live children left; the batchId is
 * recorded. If any of that does not hold, nothing is written and the push fails {@code stale} (to be
 * decided again). Rows are locked in one order (tasks, comments, attachments; by id), so pushes wait
 * for each other only when they touch the same entities.
 */
public final class CommitTransaction {
  private static final String DEADLOCK = "40P01";
  private static final String SERIALIZATION_FAILURE = "40001";
  private static final String UNIQUE_VIOLATION = "23505";

  private enum State { RUNNING, COMMIT_SENT, ABANDONED }

  private final Pool pool;
  private final DecidedPush push;
  private final AtomicReference<State> state = new AtomicReference<>(State.RUNNING);
  private volatile SqlConnection connection;
  private final List<CommittedChange> written = new ArrayList<>();

  public CommitTransaction(Pool pool, DecidedPush push) {
    this.pool = pool;
    this.push = push;
  }

  /**
   * Gives the transaction up (its caller stopped waiting): unless COMMIT was already sent, it never
   * will be, and the connection is closed so that the server rolls the transaction back at once.
   *
   * @return true when the push is certain not to commit; false when COMMIT may have reached the server
   */
  public boolean abandon() {
    if (state.compareAndSet(State.RUNNING, State.ABANDONED)) {
      SqlConnection open = connection;
      if (open != null) {
        open.close();
      }
    }
    return state.get() == State.ABANDONED;
  }

  public Future<PushResult> run() {
    if (push.writes().isEmpty() && push.batch().batchId() == null) {
      return Future.succeededFuture(result(false)); // nothing to write: no transaction at all
    }
    return pool.getConnection().compose(opened -> {
      connection = opened;
      // BEGIN and the statements go out together: the statements run inside the transaction.
      Future<Transaction> begun = opened.begin();
      Future<Boolean> written = writeAll(opened);
      return begun
          .compose(transaction -> written
              .compose(held -> held ? commit(transaction) : rollback(transaction, stale()))
              .recover(error -> state.get() == State.COMMIT_SENT ? Future.failedFuture(error)
                  : rollback(transaction, error)))
          .eventually(opened::close);
    })
        .map(committed -> result(false))
        .recover(this::answerRecordedMeanwhile);
  }

  private PushResult result(boolean replayed) {
    return new PushResult(push.batch().deviceId(), push.response(), push.applied(), push.acknowledged(), replayed);
  }

  private Future<Void> commit(Transaction transaction) {
    if (!state.compareAndSet(State.RUNNING, State.COMMIT_SENT)) {
      return Future.failedFuture(new GatewayException(ErrorCode.UNAVAILABLE, "The push was abandoned before its commit"));
    }
    return transaction.commit();
  }

  private static Future<Void> rollback(Transaction transaction, Throwable cause) {
    return transaction.rollback().transform(rolledBack -> Future.failedFuture(classify(cause)));
  }

  /** The statements go out together, in locking order; true when every expectation held. */
  private Future<Boolean> writeAll(SqlConnection connection) {
    String orgId = push.principal().orgId();
    List<Future<Boolean>> checks = new ArrayList<>();
    Set<String> parents = liveParentsNotWritten();
    if (!parents.isEmpty()) {
      checks.add(connection.preparedQuery(SqlQueries.LOCK_LIVE_PARENTS)
          .execute(Tuple.tuple().addString(orgId).addArrayOfString(parents.toArray(String[]::new)))
          .map(rows -> rows.size() == parents.size()));
    }
    writesByType().forEach((type, rows) -> checks.add(connection.preparedQuery(SqlQueries.conditionalUpsert(type))
        .executeBatch(rows.stream().map(i -> Rows.upsertParameters(orgId, push.writes().get(i),
            push.expectedVersions().get(i))).toList())
        .map(results -> eachWroteOneRow(results) && recordPositions(rows, results))));
    Set<String> deletedTasks = deletedTasks();
    if (!deletedTasks.isEmpty()) {
      checks.add(connection.preparedQuery(SqlQueries.COUNT_LIVE_CHILDREN)
          .execute(Tuple.tuple().addString(orgId).addArrayOfString(deletedTasks.toArray(String[]::new)))
          .map(rows -> rows.iterator().next().getLong("live") == 0));
    }
    if (push.batch().batchId() != null) {
      checks.add(connection.preparedQuery(SqlQueries.INSERT_BATCH)
          .execute(Tuple.of(push.batch().deviceId(), push.batch().batchId(), orgId, push.response(), push.now()))
          .map(true));
    }
    if (!push.writes().isEmpty()) {
      checks.add(connection.preparedQuery(SqlQueries.NOTIFY_CHANGES).execute(Tuple.of(notice().toJson().encode()))
          .map(true));
    }
    return Future.all(checks).map(done -> checks.stream().allMatch(Future::result));
  }

  /** Delivered to live-update streams of other devices only when this transaction commits. */
  private ChangeNotice notice() {
    Set<EntityType> types = EnumSet.noneOf(EntityType.class);
    push.writes().forEach(row -> types.add(row.type()));
    return new ChangeNotice(push.principal().orgId(), types, push.batch().deviceId(), System.currentTimeMillis());
  }

  /**
   * What this transaction wrote, with each state's feed position, once it has committed (empty before,
   * and for a replay or a push that wrote nothing).
   */
  public List<CommittedChange> committedChanges() {
    return state.get() == State.COMMIT_SENT ? List.copyOf(written) : List.of();
  }

  /** The position each written row got, for the change stream; always true. */
  private boolean recordPositions(List<Integer> rows, RowSet<Row> results) {
    int i = 0;
    for (RowSet<Row> result = results; result != null && i < rows.size(); result = result.next(), i++) {
      Row position = result.iterator().next();
      written.add(CommittedChange.of(push.writes().get(rows.get(i)), position.getLong("xid"), position.getLong("seq")));
    }
    return true;
  }

  /** Indexes of the writes per table, in locking order: tasks, comments, attachments, each by id. */
  private Map<EntityType, List<Integer>> writesByType() {
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < push.writes().size(); i++) {
      order.add(i);
    }
    order.sort(Comparator.comparing((Integer i) -> push.writes().get(i).type())
        .thenComparing(i -> push.writes().get(i).id()));
    Map<EntityType, List<Integer>> byType = new EnumMap<>(EntityType.class);
    for (int i : order) {
      byType.computeIfAbsent(push.writes().get(i).type(), type -> new ArrayList<>()).add(i);
    }
    return byType;
  }

  private static boolean eachWroteOneRow(RowSet<Row> rows) {
    for (RowSet<Row> result = rows; result != null; result = result.next()) {
      if (result.size() != 1) {
        return false;
      }
    }
    return true;
  }

  /** Tasks that live comments and attachments of this push hang under, unless the push writes them itself. */
  private Set<String> liveParentsNotWritten() {
    Set<String> writtenTasks = new TreeSet<>();
    Set<String> parents = new TreeSet<>();
    for (EntityRow row : push.writes()) {
      if (row.type() == EntityType.TASK) {
        writtenTasks.add(row.id());
      } else if (!row.isDeleted() && row.taskId() != null) {
        parents.add(row.taskId());
      }
    }
    parents.removeAll(writtenTasks);
    return parents;
  }

  private Set<String> deletedTasks() {
    Set<String> deleted = new TreeSet<>();
    push.writes().stream().filter(row -> row.type() == EntityType.TASK && row.isDeleted())
        .forEach(row -> deleted.add(row.id()));
    return deleted;
  }

  /** Another push of the same batchId committed first (through any process): answer what it was answered. */
  private Future<PushResult> answerRecordedMeanwhile(Throwable error) {
    if (!(error instanceof PgException pg) || !UNIQUE_VIOLATION.equals(pg.getSqlState())
        || !SqlQueries.BATCH_RECORD_KEY.equals(pg.getConstraint())) {
      return Future.failedFuture(error);
    }
    return pool.preparedQuery(SqlQueries.FIND_BATCH)
        .execute(Tuple.of(push.batch().deviceId(), push.batch().batchId()))
        .map(rows -> new PushResult(push.batch().deviceId(), rows.iterator().next().getJsonObject("response"), 0, 0,
            true));
  }

  private static Throwable classify(Throwable error) {
    if (error instanceof PgException pg
        && (DEADLOCK.equals(pg.getSqlState()) || SERIALIZATION_FAILURE.equals(pg.getSqlState()))) {
      return stale();
    }
    return error;
  }

  private static GatewayException stale() {
    return new GatewayException(ErrorCode.STALE, "Another push changed a named entity first; decide again");
  }
}
