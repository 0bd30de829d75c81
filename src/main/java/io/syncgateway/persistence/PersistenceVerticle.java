package io.syncgateway.persistence;

import io.syncgateway.admission.Admission;
import io.syncgateway.auth.Principal;
import io.syncgateway.bus.Addresses;
import io.syncgateway.bus.BusCodecs;
import io.syncgateway.bus.BusErrors;
import io.syncgateway.bus.DecidedPush;
import io.syncgateway.bus.DeviceListQuery;
import io.syncgateway.bus.OutcomeStatsQuery;
import io.syncgateway.bus.ResyncOrder;
import io.syncgateway.bus.SyncLogQuery;
import io.syncgateway.bus.PullRequest;
import io.syncgateway.bus.PushResult;
import io.syncgateway.bus.Replies;
import io.syncgateway.bus.ErrorCode;
import io.syncgateway.bus.GatewayException;
import io.syncgateway.config.GatewayConfig;
import io.syncgateway.config.Setting;
import io.syncgateway.entity.EntityType;
import io.syncgateway.live.ChangePublisher;
import io.syncgateway.memory.MemoryBudget;
import io.syncgateway.metrics.SyncMetrics;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Persistence: commits decided pushes (through the process's circuit breaker and admission queues:
 * fair across organizations, most urgent first within one), serves pull pages, task reads and the admin
 * API ({@link AdminQueries}, admitted like reads), records the feed horizon over time, purges
 * expired data.
 */
public class PersistenceVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(PersistenceVerticle.class);
  /** Tries at reading the cursor key when the verticle starts (see loadCursorSigner). */
  private static final int STARTUP_ATTEMPTS = 10;
  private static final String HOUSEKEEPING_LEADER_KEY = "sync.persistence.purge-leader";
  private static final String NO_STATEMENT_TIMEOUT = "SET LOCAL statement_timeout = 0";

  private Database database;
  private Pool pool;
  private SyncMetrics metrics;
  private AdminQueries admin;
  private PullQuery.Settings pullSettings;
  private long retentionMs;
  private long batchIdRetentionMs;
  private ChangePublisher changes;

  @Override
  public Future<?> start() {
    BusCodecs.register(vertx);
    GatewayConfig config = GatewayConfig.from(config());
    retentionMs = config.number(Setting.RETENTION_MS);
    batchIdRetentionMs = config.number(Setting.BATCH_ID_RETENTION_MS);
    metrics = SyncMetrics.of(config.string(Setting.METRICS_REGISTRY));
    database = Database.open(vertx, config, metrics);
    pool = database.pool();
    changes = new ChangePublisher(vertx, config.flag(Setting.CLUSTER_ENABLED),
        config.flag(Setting.BRIDGE_ENABLED) || config.flag(Setting.CLUSTER_ENABLED));
    admin = new AdminQueries(database, retentionMs);
    if (isHousekeepingLeader()) {
      schedulePurge(config.number(Setting.PURGE_INTERVAL_MS));
      scheduleDeviceScan(config.number(Setting.DEVICE_SCAN_INTERVAL_MS));
      scheduleHorizonMarks(config.number(Setting.HORIZON_MARK_INTERVAL_MS));
    }
    return loadCursorSigner(STARTUP_ATTEMPTS)
        .compose(signer -> {
          pullSettings = new PullQuery.Settings(vertx, pool, signer, database.bindings(), database.activity(), metrics,
              retentionMs,
              config.number(Setting.CLOCK_SKEW_MS), config.number(Setting.PULL_HOLDBACK_WAIT_MS),
              config.number(Setting.PULL_PAGE_BYTES));
          return Future.all(List.of(
              consume(Addresses.PUSH_COMMIT, this::commit),
              consume(Addresses.PULL_PAGE, read(request -> request.principal().orgId(), this::pull),
                  PersistenceVerticle::replyPage),
              consume(Addresses.TASK_GET, read(PersistenceVerticle::taskReadOrganization, this::getTask)),
              consume(Addresses.TASK_COMMENTS, read(PersistenceVerticle::taskReadOrganization, this::taskComments)),
              consume(Addresses.ADMIN_DEVICES, read((DeviceListQuery query) -> query.principal().orgId(),
                  admin::devices)),
              consume(Addresses.ADMIN_RESYNC, read((ResyncOrder order) -> order.principal().orgId(),
                  admin::forceResync)),
              consume(Addresses.ADMIN_LOG, read((SyncLogQuery query) -> query.principal().orgId(), admin::syncLog)),
              consume(Addresses.ADMIN_STATS, read((OutcomeStatsQuery query) -> query.principal().orgId(),
                  admin::outcomeStats)),
              consume(Addresses.DB_PING, this::ping)));
        });
  }

  /**
   * The cursor key is the first thing read at start-up: a database still starting, or a machine so
   * loaded that a first connection takes longer than its timeout, gets a few more tries (one a
   * second) before the deployment fails.
   */
  private Future<CursorSigner> loadCursorSigner(int attemptsLeft) {
    return CursorSigner.load(pool).recover(error -> {
      if (attemptsLeft <= 1) {
        return Future.failedFuture(error);
      }
      LOG.warn("Reading the cursor key failed ({}); trying again in 1 s ({} attempt(s) left)", error.toString(),
          attemptsLeft - 1);
      Promise<CursorSigner> retried = Promise.promise();
      vertx.setTimer(1000, fired -> loadCursorSigner(attemptsLeft - 1).onComplete(retried));
      return retried.future();
    });
  }

  @Override
  public Future<?> stop() {
    return database.close();
  }

  private <B, T> Future<Void> consume(String address, Function<B, Future<T>> handler) {
    return vertx.eventBus().<B>consumer(address, Replies.replying(handler)).completion();
  }

  private <B, T> Future<Void> consume(String address, Function<B, Future<T>> handler,
      BiConsumer<Message<B>, T> reply) {
    return vertx.eventBus().<B>consumer(address, Replies.replying(handler, reply)).completion();
  }

  /**
   * Reads wait for a read slot, taking turns with the other organizations; they have no priority, so
   * they are shed only when their organization's queue is full.
   */
  private <B, T> Function<B, Future<T>> read(Function<B, String> organization, Function<B, Future<T>> handler) {
    return body -> database.reads().submit(organization.apply(body), Admission.LEAST_URGENT, () -> handler.apply(body));
  }

  private static String taskReadOrganization(JsonObject body) {
    return Principal.fromJson(body.getJsonObject("principal")).orgId();
  }

  /** The encoded page as the body (still JSON, so the edge may run elsewhere); counts for the logs in headers. */
  private static void replyPage(Message<PullRequest> message, PullPage page) {
    message.reply(page.json(), new DeliveryOptions()
        .addHeader(Addresses.PULL_ITEMS_HEADER, Integer.toString(page.items()))
        .addHeader(Addresses.PULL_HAS_MORE_HEADER, Boolean.toString(page.hasMore())));
  }

  /**
   * A decided push, written and committed. When it fails unavailable (the database failed or did not
   * answer in time), the transaction is abandoned: if COMMIT was not sent yet it never will be, and
   * the answer may say nothing was applied; if it was, the answer says the outcome is unknown (a
   * retry with the same batchId is safe). PROTOCOL §3 v1.1.
   */
  private Future<PushResult> commit(DecidedPush push) {
    CommitTransaction transaction = new CommitTransaction(pool, push);
    return database.pushes().submit(push.principal().orgId(), push.batch().priority(),
            () -> database.guarded(transaction::run))
        .onSuccess(result -> changes.committed(push.principal().orgId(), push.batch().deviceId(),
            transaction.committedChanges()))
        .recover(error -> Future.failedFuture(isUnavailable(error) && !transaction.abandon()
            ? BusErrors.pushOutcomeUnknown() : error));
  }

  private static boolean isUnavailable(Throwable error) {
    return BusErrors.asGatewayException(error).code() == ErrorCode.UNAVAILABLE;
  }

  private Future<PullPage> pull(PullRequest request) {
    return database.guarded(() -> new PullQuery(pullSettings, request).run())
        .recover(PersistenceVerticle::outOfMemoryIsOverload)
        .onSuccess(page -> metrics.pulled(page.tasks(), page.comments(), page.attachments(), page.tombstones()));
  }

  /** A page that ran out of heap anyway (the budget's estimate fell short) is a refusal to retry, not a 500. */
  private static <T> Future<T> outOfMemoryIsOverload(Throwable error) {
    if (error instanceof OutOfMemoryError) {
      LOG.warn("A pull page ran out of heap ({}); answered 503 overloaded", error.toString());
      return Future.failedFuture(MemoryBudget.overloaded());
    }
    return Future.failedFuture(error);
  }

  private Future<JsonObject> getTask(JsonObject body) {
    Principal principal = Principal.fromJson(body.getJsonObject("principal"));
    return database.guarded(() -> pool.preparedQuery(SqlQueries.GET_TASK)
        .execute(Tuple.of(principal.orgId(), body.getString("id")))
        .map(rows -> {
          if (rows.size() == 0) {
            throw notFound();
          }
          var task = Rows.entity(EntityType.TASK, rows.iterator().next());
          if (task.isDeleted()) {
            throw notFound();
          }
          return task.toEntityJson(principal.orgId());
        }));
  }

  private Future<JsonObject> taskComments(JsonObject body) {
    Principal principal = Principal.fromJson(body.getJsonObject("principal"));
    String taskId = body.getString("id");
    return getTask(body).compose(task -> database.guarded(() -> pool.preparedQuery(SqlQueries.TASK_COMMENTS)
        .execute(Tuple.of(principal.orgId(), taskId))
        .map(rows -> {
          JsonArray comments = new JsonArray();
          rows.forEach(row -> comments.add(Rows.entity(EntityType.COMMENT, row).toEntityJson(principal.orgId())));
          return new JsonObject().put("comments", comments);
        })));
  }

  /**
   * Readiness: whether the database answers through the breaker, and the breaker's state. Bypasses
   * admission, so a saturated gateway still tells the truth about its database.
   */
  private Future<JsonObject> ping(JsonObject body) {
    JsonObject state = new JsonObject();
    return database.guarded(() -> pool.query("SELECT 1").execute())
        .map(rows -> state.put("database", "UP"))
        .recover(error -> Future.succeededFuture(state.put("database", "DOWN")
            .put("error", BusErrors.asGatewayException(error).detail())))
        .map(answered -> state.put("breaker", database.breakerState().name()));
  }

  private static GatewayException notFound() {
    return new GatewayException(ErrorCode.NOT_FOUND, "No such task");
  }

  /** Housekeeping timers run once per process, on the first instance. */
  private boolean isHousekeepingLeader() {
    return vertx.sharedData().getLocalMap(HOUSEKEEPING_LEADER_KEY).putIfAbsent("leader", deploymentID()) == null;
  }

  /** Expired tombstones, feed marks, logs and batch records. */
  private void schedulePurge(long intervalMs) {
    vertx.setTimer(10_000, id -> purge());
    vertx.setPeriodic(intervalMs, id -> purge());
  }

  private void purge() {
    long now = System.currentTimeMillis();
    long cutoff = now - retentionMs;
    List<Future<Integer>> deletions = new ArrayList<>();
    pool.preparedQuery(SqlQueries.RECORD_PURGE).execute(Tuple.of(now, cutoff))
        .compose(recorded -> {
          SqlQueries.PURGE_EXPIRED.forEach(sql -> deletions.add(delete(sql, cutoff)));
          deletions.add(delete(SqlQueries.PURGE_BATCH_RECORDS, now - batchIdRetentionMs));
          return Future.all(deletions);
        })
        .compose(expired -> {
          // After the tombstones are gone, so that their slots go too.
          List<Future<Integer>> slots = SqlQueries.PURGE_SUPERSEDED_SLOTS.stream().map(sql -> delete(sql, cutoff)).toList();
          deletions.addAll(slots);
          return Future.all(slots);
        })
        .onSuccess(done -> LOG.info("Retention purge removed {} rows",
            deletions.stream().mapToInt(Future::result).sum()))
        .onFailure(error -> LOG.warn("Retention purge failed: {}", error.toString()));
  }

  /** Purges may take long on large tables: their transaction lifts the statement timeout that guards requests. */
  private Future<Integer> delete(String sql, long cutoff) {
    return pool.withTransaction(connection -> connection.query(NO_STATEMENT_TIMEOUT).execute()
        .compose(lifted -> connection.preparedQuery(sql).execute(Tuple.of(cutoff)))
        .map(rows -> rows.rowCount()));
  }

  /**
   * Records, about once per interval, which transaction horizon the database had reached at which
   * server time (how a millisecond since finds its feed position), and samples how long the oldest
   * running transaction has been holding that horizon back.
   */
  private void scheduleHorizonMarks(long intervalMs) {
    AtomicLong oldestTransactionAgeMs = new AtomicLong();
    metrics.oldestTransactionAge(oldestTransactionAgeMs::get);
    vertx.setPeriodic(1, intervalMs, id -> {
      pool.query(SqlQueries.RECORD_HORIZON).execute()
          .onFailure(error -> LOG.debug("Recording the feed horizon failed: {}", error.toString()));
      pool.query(SqlQueries.OLDEST_TRANSACTION_AGE).execute()
          .onSuccess(rows -> oldestTransactionAgeMs.set(rows.iterator().next().getLong("age_ms")))
          .onFailure(error -> LOG.debug("Sampling the oldest transaction failed: {}", error.toString()));
    });
  }

  /**
   * Counts, from the shared devices table, the devices that have not pulled for a while (they are
   * heading for a resync: {@link ResyncRisk}). A periodic count rather than one per scrape, and the
   * same answer from every gateway process on the database.
   */
  private void scheduleDeviceScan(long intervalMs) {
    AtomicLong overdue = new AtomicLong();
    metrics.devicesHeadingForResync(overdue::get);
    vertx.setTimer(1, id -> countOverdueDevices(overdue));
    vertx.setPeriodic(intervalMs, id -> countOverdueDevices(overdue));
  }

  private void countOverdueDevices(AtomicLong overdue) {
    pool.preparedQuery(SqlQueries.COUNT_PULL_OVERDUE_DEVICES)
        .execute(Tuple.of(ResyncRisk.warningAfterMs(retentionMs)))
        .onSuccess(rows -> overdue.set(rows.iterator().next().getLong("overdue")))
        .onFailure(error -> LOG.warn("Counting devices heading for a resync failed: {}", error.toString()));
  }
}
