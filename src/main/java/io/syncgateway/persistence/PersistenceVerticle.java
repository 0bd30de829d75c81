package io.syncgateway.persistence;

import io.syncgateway.admission.Admission;
import io.syncgateway.auth.Principal;
import io.syncgateway.batch.PreparedBatch;
import io.syncgateway.bus.Addresses;
import io.syncgateway.bus.BusErrors;
import io.syncgateway.bus.ErrorCode;
import io.syncgateway.bus.GatewayException;
import io.syncgateway.bus.Probe;
import io.syncgateway.config.GatewayConfig;
import io.syncgateway.config.Setting;
import io.syncgateway.entity.EntityType;
import io.syncgateway.metrics.SyncMetrics;
import io.syncgateway.persistence.db.PgUrl;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Persistence: owns the PostgreSQL pool and, through the {@link DatabaseGate}, the circuit breaker
 * and admission queues in front of it (all shared by the instances of this verticle). Applies
 * pushes, most urgent first; serves pull pages and task reads; purges expired data.
 */
public class PersistenceVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(PersistenceVerticle.class);
  public static final String POOL_NAME = "sync-gateway-pg";
  private static final String HOUSEKEEPING_LEADER_KEY = "sync.persistence.purge-leader";

  private Pool pool;
  private DatabaseGate gate;
  private SyncMetrics metrics;
  private ItemDecider decider;
  private long retentionMs;
  private long batchIdRetentionMs;
  private long skewMs;

  @Override
  public Future<?> start() {
    GatewayConfig config = GatewayConfig.from(config());
    retentionMs = config.number(Setting.RETENTION_MS);
    batchIdRetentionMs = config.number(Setting.BATCH_ID_RETENTION_MS);
    skewMs = config.number(Setting.CLOCK_SKEW_MS);
    decider = ItemDecider.overBus(vertx.eventBus(),
        new DeliveryOptions().setSendTimeout(config.number(Setting.BUS_TIMEOUT_MS) / 2));
    PgConnectOptions connect = PgUrl.parse(config.string(Setting.PG_URL)).connectOptions()
        .setReconnectAttempts(0);
    // Short connect and pool-wait timeouts: an unreachable database must fail requests fast.
    int connectTimeoutMs = config.integer(Setting.PG_CONNECT_TIMEOUT_MS);
    pool = PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(config.integer(Setting.PG_POOL_SIZE)).setShared(true).setName(POOL_NAME)
            .setConnectionTimeout(connectTimeoutMs).setConnectionTimeoutUnit(TimeUnit.MILLISECONDS)
            .setMaxWaitQueueSize(4096))
        .with(new NetClientOptions().setConnectTimeout(connectTimeoutMs))
        .connectingTo(connect)
        .using(vertx)
        .build();
    metrics = SyncMetrics.of(config.string(Setting.METRICS_REGISTRY));
    gate = DatabaseGate.shared(vertx, config, metrics);
    if (isHousekeepingLeader()) {
      schedulePurge(config.number(Setting.PURGE_INTERVAL_MS));
      scheduleDeviceScan(config.number(Setting.DEVICE_SCAN_INTERVAL_MS));
    }
    return Future.all(
        consume(Addresses.PUSH_APPLY, this::push),
        consume(Addresses.PULL_PAGE, read(this::pull), PersistenceVerticle::replyPage),
        consume(Addresses.TASK_GET, read(this::getTask)),
        consume(Addresses.TASK_COMMENTS, read(this::taskComments)),
        consume(Addresses.DB_PING, this::ping));
  }

  @Override
  public Future<?> stop() {
    return pool.close();
  }

  private Future<Void> consume(String address, Function<JsonObject, Future<JsonObject>> handler) {
    return consume(address, handler, Message::reply);
  }

  private <T> Future<Void> consume(String address, Function<JsonObject, Future<T>> handler,
      BiConsumer<Message<JsonObject>, T> reply) {
    return vertx.eventBus().<JsonObject>consumer(address, message -> answer(message, handler, reply)).completion();
  }

  private static <T> void answer(Message<JsonObject> message, Function<JsonObject, Future<T>> handler,
      BiConsumer<Message<JsonObject>, T> reply) {
    if (Probe.answered(message)) {
      return;
    }
    Future<T> result;
    try {
      result = handler.apply(message.body());
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    result.onSuccess(answer -> reply.accept(message, answer)).onFailure(error -> BusErrors.reply(message, error));
  }

  /** Reads wait for a read slot; they have no priority, so they are shed only when their queue is full. */
  private <T> Function<JsonObject, Future<T>> read(Function<JsonObject, Future<T>> handler) {
    return body -> gate.reads.submit(Admission.LEAST_URGENT, () -> handler.apply(body));
  }

  /** The encoded page as the body (still JSON, so the edge may run elsewhere); counts for the logs in headers. */
  private static void replyPage(Message<JsonObject> message, PullPage page) {
    message.reply(page.json(), new DeliveryOptions()
        .addHeader(Addresses.PULL_ITEMS_HEADER, Integer.toString(page.items()))
        .addHeader(Addresses.PULL_HAS_MORE_HEADER, Boolean.toString(page.hasMore())));
  }

  private Future<JsonObject> push(JsonObject body) {
    Principal principal = Principal.fromJson(body.getJsonObject("principal"));
    JsonObject prepared = body.getJsonObject("batch");
    PreparedBatch batch = PreparedBatch.fromJson(prepared);
    return gate.pushes.submit(batch.priority(), () -> gate.guarded(() -> PushTransaction.apply(pool, decider, principal, batch)))
        .map(outcome -> {
          metrics.pushed(prepared, outcome.response(), outcome.replayed(), outcome.applied(), outcome.acknowledged());
          return outcome.toReply();
        });
  }

  private Future<PullPage> pull(JsonObject body) {
    Principal principal = Principal.fromJson(body.getJsonObject("principal"));
    return gate.guarded(() -> new PullQuery(pool, principal, body, retentionMs, skewMs).run())
        .onSuccess(page -> metrics.pulled(page.tasks(), page.comments(), page.attachments(), page.tombstones()));
  }

  private Future<JsonObject> getTask(JsonObject body) {
    Principal principal = Principal.fromJson(body.getJsonObject("principal"));
    return gate.guarded(() -> pool.preparedQuery(SqlQueries.GET_TASK)
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
    return getTask(body).compose(task -> gate.guarded(() -> pool.preparedQuery(SqlQueries.TASK_COMMENTS)
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
    return gate.guarded(() -> pool.query("SELECT 1").execute())
        .map(rows -> state.put("database", "UP"))
        .recover(error -> Future.succeededFuture(state.put("database", "DOWN")
            .put("error", BusErrors.asGatewayException(error).detail())))
        .map(answered -> state.put("breaker", gate.breaker.state().name()));
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
        .onSuccess(done -> LOG.info("Retention purge removed {} rows",
            deletions.stream().mapToInt(Future::result).sum()))
        .onFailure(error -> LOG.warn("Retention purge failed: {}", error.toString()));
  }

  private Future<Integer> delete(String sql, long cutoff) {
    return pool.preparedQuery(sql).execute(Tuple.of(cutoff)).map(rows -> rows.rowCount());
  }

  /**
   * Counts, from the shared devices table, the devices that have not pulled for half the retention
   * period (they are heading for a resync). A periodic count rather than one per scrape, and the
   * same answer from every gateway process on the database.
   */
  private void scheduleDeviceScan(long intervalMs) {
    AtomicLong overdue = new AtomicLong();
    metrics.devicesHeadingForResync(overdue::get);
    vertx.setTimer(1, id -> countOverdueDevices(overdue));
    vertx.setPeriodic(intervalMs, id -> countOverdueDevices(overdue));
  }

  private void countOverdueDevices(AtomicLong overdue) {
    pool.preparedQuery(SqlQueries.COUNT_PULL_OVERDUE_DEVICES).execute(Tuple.of(retentionMs / 2))
        .onSuccess(rows -> overdue.set(rows.iterator().next().getLong("overdue")))
        .onFailure(error -> LOG.warn("Counting devices heading for a resync failed: {}", error.toString()));
  }
}
