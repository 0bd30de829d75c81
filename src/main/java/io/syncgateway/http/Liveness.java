package io.syncgateway.http;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.Shareable;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

/**
 * {@code GET /health/live}: 200 {@code UP} while the process can still serve, 503 {@code DOWN} once something it
 * cannot repair by itself has failed (the embedded database could not be restarted), so that the process
 * supervisor restarts the gateway. Conditions must be cheap, in-memory reads: liveness is polled often and must
 * never wait on the database; a database that is merely down is readiness's business.
 */
public final class Liveness implements Handler<RoutingContext>, Shareable {
  private static final String SHARED_MAP = "sync.health";

  private final Map<String, BooleanSupplier> conditions = new ConcurrentHashMap<>();

  /** The process's liveness, shared by every HTTP verticle instance of {@code vertx}. */
  public static Liveness of(Vertx vertx) {
    return vertx.sharedData().<String, Liveness>getLocalMap(SHARED_MAP).computeIfAbsent("liveness", key -> new Liveness());
  }

  /** From now on, the process is live only while {@code alive} says so. */
  public void require(String name, BooleanSupplier alive) {
    conditions.put(name, alive);
  }

  @Override
  public void handle(RoutingContext rc) {
    JsonArray failed = new JsonArray();
    conditions.forEach((name, alive) -> {
      if (!alive.getAsBoolean()) {
        failed.add(name);
      }
    });
    if (failed.isEmpty()) {
      rc.json(new JsonObject().put("status", "UP"));
      return;
    }
    rc.response().setStatusCode(503);
    rc.json(new JsonObject().put("status", "DOWN").put("failed", failed));
  }
}
