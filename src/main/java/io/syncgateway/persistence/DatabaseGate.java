package io.syncgateway.persistence;

import io.syncgateway.admission.Admission;
import io.syncgateway.admission.AdmissionLimits;
import io.syncgateway.bus.ErrorCode;
import io.syncgateway.bus.GatewayException;
import io.syncgateway.config.GatewayConfig;
import io.syncgateway.config.Setting;
import io.syncgateway.metrics.SyncMetrics;
import io.syncgateway.persistence.db.PgUrl;
import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.circuitbreaker.CircuitBreakerOptions;
import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.circuitbreaker.OpenCircuitException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxException;
import io.vertx.core.impl.NoStackTraceThrowable;
import io.vertx.core.shareddata.Shareable;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import java.net.ConnectException;
import java.nio.channels.ClosedChannelException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What stands in front of the database, once per process and shared by every persistence instance
 * (like the pool): the circuit breaker, and the admission queues of pushes (by priority within an
 * organization) and reads, both fair across organizations and both following the breaker's state.
 * One breaker per process means one state for readiness and metrics, whichever instance answers.
 */
final class DatabaseGate implements Shareable {
  private static final Logger LOG = LoggerFactory.getLogger(DatabaseGate.class);
  private static final String SHARED_MAP = "sync.persistence.gate";
  static final String BREAKER_NAME = "database";
  /** Carries no stack trace, so one instance serves every refusal. */
  private static final GatewayException DATABASE_UNAVAILABLE =
      new GatewayException(ErrorCode.UNAVAILABLE, "The database is unavailable; retry later");

  final CircuitBreaker breaker;
  final Admission pushes;
  final Admission reads;

  private DatabaseGate(CircuitBreaker breaker, Admission pushes, Admission reads) {
    this.breaker = breaker;
    this.pushes = pushes;
    this.reads = reads;
  }

  /** The process's gate, created by the first persistence instance that asks. */
  static DatabaseGate shared(Vertx vertx, GatewayConfig config, SyncMetrics metrics) {
    return vertx.sharedData().<String, DatabaseGate>getLocalMap(SHARED_MAP)
        .computeIfAbsent("gate", key -> create(vertx, config, metrics));
  }

  private static DatabaseGate create(Vertx vertx, GatewayConfig config, SyncMetrics metrics) {
    int poolSize = config.integer(Setting.PG_POOL_SIZE);
    long maxWaitMs = config.number(Setting.ADMISSION_MAX_WAIT_MS);
    long busTimeoutMs = config.number(Setting.BUS_TIMEOUT_MS);
    if (maxWaitMs <= 0 || maxWaitMs >= busTimeoutMs) {
      throw new IllegalArgumentException(Setting.ADMISSION_MAX_WAIT_MS.key() + " (" + Setting.ADMISSION_MAX_WAIT_MS.env()
          + ") must be positive and below " + Setting.BUS_TIMEOUT_MS.key() + " (" + busTimeoutMs + " ms), got " + maxWaitMs);
    }
    int orgSharePercent = config.integer(Setting.ADMISSION_ORG_SHARE_PERCENT);
    int pushConcurrency = orDefault(config.integer(Setting.PUSH_CONCURRENCY), poolSize);
    Admission pushes = new Admission(vertx, new AdmissionLimits(
        pushConcurrency,
        AdmissionLimits.share(pushConcurrency, orgSharePercent),
        config.integer(Setting.SHED_LOW_PRIORITY_AT),
        config.integer(Setting.SHED_MEDIUM_PRIORITY_AT),
        config.integer(Setting.PUSH_QUEUE_LIMIT),
        maxWaitMs));
    int readConcurrency = orDefault(config.integer(Setting.READ_CONCURRENCY), Math.max(1, poolSize / 2));
    Admission reads = new Admission(vertx, AdmissionLimits.uniform(
        readConcurrency,
        AdmissionLimits.share(readConcurrency, orgSharePercent),
        config.integer(Setting.READ_QUEUE_LIMIT),
        maxWaitMs));
    Admission[] admissions = {pushes, reads};
    CircuitBreaker breaker = CircuitBreaker.create(BREAKER_NAME, vertx, new CircuitBreakerOptions()
            .setMaxFailures(config.integer(Setting.BREAKER_MAX_FAILURES))
            .setTimeout(config.number(Setting.BREAKER_TIMEOUT_MS))
            .setResetTimeout(config.number(Setting.BREAKER_RESET_MS))
            .setNotificationAddress(null))
        .openHandler(v -> transition(metrics, admissions, CircuitBreakerState.OPEN,
            "Circuit breaker 'database' is now OPEN: requests fail fast with 503"))
        .halfOpenHandler(v -> transition(metrics, admissions, CircuitBreakerState.HALF_OPEN,
            "Circuit breaker 'database' is now HALF_OPEN: probing the database"))
        .closeHandler(v -> transition(metrics, admissions, CircuitBreakerState.CLOSED,
            "Circuit breaker 'database' is now CLOSED"))
        .failurePolicy(future -> future.failed() && isDatabaseFailure(future.cause()));
    metrics.breakerState(BREAKER_NAME, breaker::state);
    long heartbeatMs = config.number(Setting.BREAKER_HEARTBEAT_MS);
    if (heartbeatMs > 0) {
      new DatabaseHeartbeat(vertx, PgUrl.parse(config.string(Setting.PG_URL)).connectOptions(),
          config.number(Setting.PG_CONNECT_TIMEOUT_MS), silence -> openOnSilence(breaker, silence)).start(heartbeatMs);
    }
    metrics.admission("push", pushes, true);
    metrics.admission("read", reads, false);
    return new DatabaseGate(breaker, pushes, reads);
  }

  private static void openOnSilence(CircuitBreaker breaker, Throwable silence) {
    if (breaker.state() != CircuitBreakerState.OPEN) {
      LOG.warn("The database did not answer the heartbeat ({}): opening the circuit breaker", silence.toString());
      breaker.open();
    }
  }

  private static int orDefault(int configured, int fallback) {
    return configured > 0 ? configured : fallback;
  }

  private static void transition(SyncMetrics metrics, Admission[] admissions, CircuitBreakerState state,
      String message) {
    if (state == CircuitBreakerState.OPEN) {
      LOG.warn(message);
    } else {
      LOG.info(message);
    }
    for (Admission admission : admissions) {
      admitFor(state, admission);
    }
    metrics.breakerTransition(BREAKER_NAME, state.name());
  }

  /**
   * Admission follows the breaker. While it is open nothing may wait for a slot: the slots may be
   * held by operations hung on a database that does not answer, and the contract is 503 within
   * 100 ms (PROTOCOL §7). While it is half open, work that finds a free slot goes on to the breaker
   * (the first is the probe, the rest fail fast there); work that would wait is refused.
   */
  private static void admitFor(CircuitBreakerState state, Admission admission) {
    switch (state) {
      case OPEN -> admission.refuseAll(DATABASE_UNAVAILABLE);
      case HALF_OPEN -> admission.refuseWaiting(DATABASE_UNAVAILABLE);
      case CLOSED -> admission.admitAll();
    }
  }

  /**
   * Runs a database operation through the breaker. Business answers (403, 404, 410 …) pass through
   * and do not count as failures; database failures become 503 unavailable.
   */
  <T> Future<T> guarded(Supplier<Future<T>> operation) {
    return breaker.<T>execute(operation).recover(error -> {
      if (isPoolExhausted(error)) {
        return Future.failedFuture(new GatewayException(ErrorCode.OVERLOADED,
            "Every database connection of this gateway is busy; nothing was applied, retry later"));
      }
      if (!isDatabaseFailure(error)) {
        return Future.failedFuture(error);
      }
      if (isConnectionFailure(error) && breaker.state() != CircuitBreakerState.OPEN) {
        LOG.warn("Lost the database connection ({}): opening the circuit breaker", error.toString());
        breaker.open(); // the database is gone: fail fast until a half-open probe succeeds
      }
      if (error instanceof OpenCircuitException) {
        return Future.failedFuture(DATABASE_UNAVAILABLE);
      }
      LOG.warn("Database operation failed: {}", error.toString());
      return Future.failedFuture(new GatewayException(ErrorCode.UNAVAILABLE,
          "The database did not complete the operation; nothing was applied, retry later"));
    });
  }

  /**
   * Whether a failure counts against the database. Not: business answers (4xx), refusals for load
   * ({@code overloaded}: the gateway's own memory or queues, not the database), and the JVM's own
   * errors (an OutOfMemoryError says nothing about the database).
   */
  private static boolean isDatabaseFailure(Throwable error) {
    if (error instanceof VirtualMachineError || isPoolExhausted(error)) {
      return false;
    }
    return !(error instanceof GatewayException gateway)
        || (gateway.code().status() >= 500 && gateway.code() != ErrorCode.OVERLOADED);
  }

  /**
   * The pool had no free connection within its wait timeout: this gateway is busier than its pool,
   * which says nothing about the database (a stalled database is caught by the heartbeat).
   */
  private static boolean isPoolExhausted(Throwable error) {
    String message = error.getMessage();
    return message != null && (error instanceof VertxException || error instanceof NoStackTraceThrowable)
        && (message.equals("Timeout") || message.startsWith("Timeout waiting for connection"));
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
}
