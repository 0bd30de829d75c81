package io.syncgateway.http;

import io.syncgateway.bus.Addresses;
import io.syncgateway.bus.BusErrors;
import io.syncgateway.bus.Probe;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;

/**
 * The checks of {@code /health/ready}: the database answers, the circuit breaker is closed, and
 * every event-bus address of the gateway has a consumer that answers a probe. Any DOWN check makes
 * the answer 503 DOWN.
 */
final class Readiness {
  static final String DATABASE = "database";
  static final String BREAKER = "circuit-breaker";
  static final String CONSUMERS = "event-bus";
  private static final long CHECK_TIMEOUT_MS = 2000;
  private static final long BUS_TIMEOUT_MS = 1500;

  private final Vertx vertx;
  private Future<JsonObject> ping;

  private Readiness(Vertx vertx) {
    this.vertx = vertx;
  }

  static HealthChecks checks(Vertx vertx) {
    Readiness readiness = new Readiness(vertx);
    HealthChecks checks = HealthChecks.create(vertx)
        .register(DATABASE, CHECK_TIMEOUT_MS, promise -> readiness.ping()
            .onComplete(answer -> promise.complete(databaseStatus(answer))))
        .register(BREAKER, CHECK_TIMEOUT_MS, promise -> readiness.ping().onComplete(answer -> {
          String state = answer.succeeded() ? answer.result().getString("breaker") : "UNKNOWN";
          JsonObject data = new JsonObject().put("state", state);
          promise.complete("CLOSED".equals(state) ? Status.OK(data) : Status.KO(data));
        }));
    for (String address : Addresses.CONSUMED) {
      checks.register(CONSUMERS + "/" + address, CHECK_TIMEOUT_MS, promise -> vertx.eventBus()
          .request(address, probeBody(address), Probe.options(BUS_TIMEOUT_MS))
          .onComplete(answer -> promise.complete(answer.succeeded() ? Status.OK()
              : Status.KO(error(answer.cause())))));
    }
    return checks;
  }

  /** One database ping serves both checks of a readiness request. */
  private synchronized Future<JsonObject> ping() {
    if (ping == null || ping.isComplete()) {
      ping = vertx.eventBus().<JsonObject>request(Addresses.DB_PING, new JsonObject(),
          new DeliveryOptions().setSendTimeout(BUS_TIMEOUT_MS)).map(reply -> reply.body());
    }
    return ping;
  }

  /** A probe is answered from its header before the body is read, so any body will do. */
  private static Object probeBody(String address) {
    return new JsonObject();
  }

  private static Status databaseStatus(AsyncResult<JsonObject> answer) {
    if (answer.failed()) {
      return Status.KO(error(answer.cause()));
    }
    JsonObject ping = answer.result();
    return "UP".equals(ping.getString("database")) ? Status.OK(new JsonObject().put("database", "UP"))
        : Status.KO(new JsonObject().put("error", ping.getString("error")));
  }

  private static JsonObject error(Throwable failure) {
    return new JsonObject().put("error", BusErrors.asGatewayException(failure).detail());
  }
}
