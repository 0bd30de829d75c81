package io.syncgateway.persistence;

import io.syncgateway.auth.Principal;
import io.syncgateway.batch.PreparedBatch;
import io.syncgateway.bus.Addresses;
import io.syncgateway.bus.BusErrors;
import io.syncgateway.bus.ErrorCode;
import io.syncgateway.bus.GatewayException;
import io.syncgateway.config.GatewayConfig;
import io.syncgateway.config.Setting;
import io.syncgateway.entity.EntityType;
import io.syncgateway.metrics.SyncMetrics;
import io.syncgateway.persistence.db.PgUrl;
import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.circuitbreaker.CircuitBreakerOptions;
import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.circuitbreaker.OpenCircuitException;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgException;
import io.vertx.core.net.NetClientOptions;
import io.vertx.sqlclient.ClosedConnectionException;
import java.net.ConnectException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeUnit;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Persistence: owns the PostgreSQL pool (shared by all instances of this verticle) and the circuit
 * breaker in front of it. Applies pushes, serves pull pages and task reads, purges expired data.
 */
public class PersistenceVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(PersistenceVerticle.class);
  public static final String POOL_NAME = "sync-gateway-pg";
  private static final String PURGE_LEADER_KEY = "sync.persistence.purge-leader";
  private static final int CONNECT_TIMEOUT_MS = 2000;

  private Pool pool;
  private CircuitBreaker breaker;
  private DeliveryOptions busOptions;
  private long retentionMs;
  private long batchIdRetentionMs;
  private long skewMs;

  @Override
  public Future<?> start() {
    GatewayConfig config = GatewayConfig.from(config());
    retentionMs = config.number(Setting.RETENTION_MS);
    batchIdRetentionMs = config.number(Setting.BATCH_ID_RETENTION_MS);
    skewMs = config.number(Setting.CLOCK_SKEW_MS);
    busOptions = new DeliveryOptions().setSendTimeout(config.number(Setting.BUS_TIMEOUT_MS) / 2);
    PgConnectOptions connect = PgUrl.parse(config.string(Setting.PG_URL)).connectOptions()
        .setReconnectAttempts(0);
    // Short connect and pool-wait timeouts: an unreachable database must fail requests fast.
    pool = PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(config.integer(Setting.PG_POOL_SIZE)).setShared(true).setName(POOL_NAME)
            .setConnectionTimeout(CONNECT_TIMEOUT_MS).setConnectionTimeoutUnit(TimeUnit.MILLISECONDS)
            .setMaxWaitQueueSize(4096))
        .with(new NetClientOptions().setConnectTimeout(CONNECT_TIMEOUT_MS))
        .connectingTo(connect)
        .using(vertx)
        .build();
    breaker = CircuitBreaker.create("database", vertx, new CircuitBreakerOptions()
            .setMaxFailures(config.integer(Setting.BREAKER_MAX_FAILURES))
            .setTimeout(config.number(Setting.BREAKER_TIMEOUT_MS))
            .setResetTimeout(config.number(Setting.BREAKER_RESET_MS)))
        .openHandler(v -> LOG.warn("Circuit breaker 'database' is now OPEN: requests fail fast with 503"))
        .halfOpenHandler(v -> LOG.info("Circuit breaker 'database' is now HALF_OPEN: probing the database"))
        .closeHandler(v -> LOG.info("Circuit breaker 'database' is now CLOSED"))
        .failurePolicy(future -> future.failed() && isDatabaseFailure(future.cause()));
    SyncMetrics.of(config.string(Setting.METRICS_REGISTRY)).breakerState("database",
        () -> breaker.state() == CircuitBreakerState.CLOSED ? 0 : breaker.state() == CircuitBreakerState.HALF_OPEN ? 1 : 2);
    schedulePurge(config.number(Setting.PURGE_INTERVAL_MS));
    return Future.all(
        consume(Addresses.PUSH_APPLY, this::push),
        consume(Addresses.PULL_PAGE, this::pull),
        consume(Addresses.TASK_GET, this::getTask),
        consume(Addresses.TASK_COMMENTS, this::taskComments),
        consume(Addresses.DB_PING, body -> guarded(() -> pool.query("SELECT 1").execute()
            .map(rows -> new JsonObject().put("database", "UP").put("breaker", breaker.state().name())))));
  }

  @Override
  public Future<?> stop() {
    return pool.close();
  }

  private Future<Void> consume(String address, Function<JsonObject, Future<JsonObject>> handler) {
    return vertx.eventBus().<JsonObject>consumer(address, message -> answer(message, handler)).completion();
  }

  private static void answer(Message<JsonObject> message, Function<JsonObject, Future<JsonObject>> handler) {
    Future<JsonObject> result;
    try {
      result = handler.apply(message.body());
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    result.onSuccess(message::reply).onFailure(error -> BusErrors.reply(message, error));
  }

  private Future<JsonObject> push(JsonObject body) {
    Principal principal = Principal.fromJson(body.getJsonObject("principal"));
    PreparedBatch batch = PreparedBatch.fromJson(body.getJsonObject("batch"));
    return guarded(() -> PushTransaction.apply(pool, ItemDecider.overBus(vertx.eventBus(), busOptions), principal, batch));
  }

  private Future<JsonObject> pull(JsonObject body) {
    Principal principal = Principal.fromJson(body.getJsonObject("principal"));
    return guarded(() -> new PullQuery(pool, principal, body, retentionMs, skewMs).run());
  }

  private Future<JsonObject> getTask(JsonObject body) {
    Principal principal = Principal.fromJson(body.getJsonObject("principal"));
    return guarded(() -> pool.preparedQuery(SqlQueries.GET_TASK)
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
    return getTask(body).compose(task -> guarded(() -> pool.preparedQuery(SqlQueries.TASK_COMMENTS)
        .execute(Tuple.of(principal.orgId(), taskId))
        .map(rows -> {
          JsonArray comments = new JsonArray();
          rows.forEach(row -> comments.add(Rows.entity(EntityType.COMMENT, row).toEntityJson(principal.orgId())));
          return new JsonObject().put("comments", comments);
        })));
  }

  /**
   * Runs a database operation through the breaker. Business answers (403, 404, 410 …) pass through
   * and do not count as failures; database failures become 503 unavailable.
   */
  private <T> Future<T> guarded(Supplier<Future<T>> operation) {
    return breaker.<T>execute(operation).recover(error -> {
      if (!isDatabaseFailure(error)) {
        return Future.failedFuture(error);
      }
      if (isConnectionFailure(error) && breaker.state() != CircuitBreakerState.OPEN) {
        LOG.warn("Lost the database connection ({}): opening the circuit breaker", error.toString());
        breaker.open(); // the database is gone: fail fast until a half-open probe succeeds
      }
      if (error instanceof OpenCircuitException) {
        return Future.failedFuture(new GatewayException(ErrorCode.UNAVAILABLE,
            "The database is unavailable; retry later"));
      }
      LOG.warn("Database operation failed: {}", error.toString());
      return Future.failedFuture(new GatewayException(ErrorCode.UNAVAILABLE,
          "The database did not complete the operation; nothing was applied, retry later"));
    });
  }

  private static boolean isDatabaseFailure(Throwable error) {
    return !(error instanceof GatewayException gateway) || gateway.code().status() >= 500;
  }

  /**
   * The database itself is unreachable (as opposed to a statement that failed): a connection
   * refused, lost or timed out, or the server shutting down (SQLSTATE classes 08 and 57P).
   */
  private static boolean isConnectionFailure(Throwable error) {
    if (error instanceof PgException pg) {
      String state = pg.getSqlState();
      return state != null && (state.startsWith("08") || state.startsWith("57P"));
    }
    for (Throwable cause = error; cause != null; cause = cause.getCause()) {
      if (cause instanceof ConnectException || cause instanceof ClosedConnectionException
          || cause instanceof ClosedChannelException || cause.getClass().getSimpleName().contains("Timeout")) {
        return true;
      }
    }
    return false;
  }

  private static GatewayException notFound() {
    return new GatewayException(ErrorCode.NOT_FOUND, "No such task");
  }

  /** One purge timer per process: expired tombstones, feed marks, logs and batch records. */
  private void schedulePurge(long intervalMs) {
    if (vertx.sharedData().getLocalMap(PURGE_LEADER_KEY).putIfAbsent("leader", deploymentID()) != null) {
      return;
    }
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
}
