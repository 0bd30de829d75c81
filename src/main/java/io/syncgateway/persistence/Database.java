package io.syncgateway.persistence;

import io.syncgateway.admission.Admission;
import io.syncgateway.config.GatewayConfig;
import io.syncgateway.config.Setting;
import io.syncgateway.metrics.SyncMetrics;
import io.syncgateway.persistence.db.DatabaseSchema;
import io.syncgateway.persistence.db.PgUrl;
import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.shareddata.Shareable;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A verticle's lease on the process's database: the shared pool, and the shared gate in front of it
 * (circuit breaker, admission). Verticles that talk to PostgreSQL (conflict detection reads,
 * persistence writes) each open one at start and close it at stop.
 */
public final class Database {
  public static final String POOL_NAME = "sync-gateway-pg";
  /** A transaction left idle this long is ended by the server: it would hold the feed horizon back. */
  private static final String IDLE_IN_TRANSACTION_TIMEOUT = "30s";

  private static final String SHARED_MAP = "sync.persistence.devices";
  private static final int CACHED_BINDINGS = 100_000;
  private static final int ACTIVITY_CAPACITY = 50_000;
  private static final long SHUTDOWN_FLUSH_MS = 2_000;

  private final Pool pool;
  private final DatabaseGate gate;
  private final DeviceActivity devices;

  /** Device bindings and the activity log: one per process, like the gate, whichever verticle opens first. */
  private record DeviceActivity(DeviceBindings bindings, ActivityLog log) implements Shareable {}

  private Database(Pool pool, DatabaseGate gate, DeviceActivity devices) {
    this.pool = pool;
    this.gate = gate;
    this.devices = devices;
  }

  public static Database open(Vertx vertx, GatewayConfig config, SyncMetrics metrics) {
    // The schema's search_path lets the gateway's unqualified SQL work in any SYNC_DB_SCHEMA.
    PgConnectOptions connect = new DatabaseSchema(config.string(Setting.DB_SCHEMA))
        .applyTo(PgUrl.parse(config.string(Setting.PG_URL)).connectOptions())
        .setReconnectAttempts(0)
        .addProperty("idle_in_transaction_session_timeout", IDLE_IN_TRANSACTION_TIMEOUT)
        // A statement the database cannot finish (a lock never granted, a stalled disk) is cancelled by
        // the server instead of holding its connection and admission slot until the breaker's timeout.
        .addProperty("statement_timeout", config.number(Setting.PG_STATEMENT_TIMEOUT_MS) + "ms");
    // Short connect and pool-wait timeouts: an unreachable database must fail requests fast.
    int connectTimeoutMs = config.integer(Setting.PG_CONNECT_TIMEOUT_MS);
    Pool pool = PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(config.integer(Setting.PG_POOL_SIZE)).setShared(true).setName(POOL_NAME)
            .setConnectionTimeout(connectTimeoutMs).setConnectionTimeoutUnit(TimeUnit.MILLISECONDS)
            .setMaxWaitQueueSize(4096))
        .with(new NetClientOptions().setConnectTimeout(connectTimeoutMs))
        .connectingTo(connect)
        .using(vertx)
        .build();
    DeviceActivity devices = vertx.sharedData().<String, DeviceActivity>getLocalMap(SHARED_MAP)
        .computeIfAbsent("devices", key -> {
          ActivityLog log = new ActivityLog(vertx, pool, ACTIVITY_CAPACITY, ActivityLog.DEFAULT_FLUSH_INTERVAL_MS,
              metrics::activityDropped);
          log.start();
          return new DeviceActivity(new DeviceBindings(pool, CACHED_BINDINGS), log);
        });
    return new Database(pool, DatabaseGate.shared(vertx, config, metrics), devices);
  }

  /** Which (organization, user) owns each device: a read after the first contact. */
  public DeviceBindings bindings() {
    return devices.bindings();
  }

  /** Last-seen times and sync-log rows, written in the background. */
  public ActivityLog activity() {
    return devices.log();
  }

  public Pool pool() {
    return pool;
  }

  /** Runs a database operation through the circuit breaker (see {@link DatabaseGate#guarded}). */
  public <T> Future<T> guarded(Supplier<Future<T>> operation) {
    return gate.guarded(operation);
  }

  /** Admission of reads (pull pages, task reads, the reads a push is decided on), fair across organizations. */
  public Admission reads() {
    return gate.reads;
  }

  /** Admission of commits, fair across organizations, most urgent first within one. */
  public Admission pushes() {
    return gate.pushes;
  }

  public CircuitBreakerState breakerState() {
    return gate.breaker.state();
  }

  /** Writes what the activity log holds (the first lease to close does; later ones find it empty), then lets go of the pool. */
  public Future<Void> close() {
    // Bounded: a stalled database must not hold the shutdown (what is not written is bookkeeping only).
    return devices.log().flush().timeout(SHUTDOWN_FLUSH_MS, TimeUnit.MILLISECONDS).transform(flushed -> pool.close());
  }
}
