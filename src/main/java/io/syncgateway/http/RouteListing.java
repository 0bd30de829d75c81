package io.syncgateway.http;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.shareddata.Shareable;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The paths the process's HTTP router answers, with their methods, in OpenAPI's spelling
 * ({@code /api/tasks/{id}}): what the OpenAPI description must document (the conformance test
 * compares the two, so a route added without documentation fails the build). Catch-all handlers
 * (logging, authentication, 404) have no path of their own and are not listed.
 */
public final class RouteListing implements Shareable {
  private static final String SHARED_MAP = "sync.http";

  private final AtomicReference<Router> router = new AtomicReference<>();

  /** The listing of {@code vertx}'s HTTP verticles (they all build the same router). */
  public static RouteListing of(Vertx vertx) {
    return vertx.sharedData().<String, RouteListing>getLocalMap(SHARED_MAP).computeIfAbsent("routes", key -> new RouteListing());
  }

  void publish(Router built) {
    router.set(built);
  }

  /** Path → methods; empty until an HTTP verticle has started. */
  public Map<String, Set<HttpMethod>> routes() {
    Map<String, Set<HttpMethod>> routes = new TreeMap<>();
    Router published = router.get();
    if (published == null) {
      return routes;
    }
    for (Route route : published.getRoutes()) {
      // Vert.x gives null methods for a route that takes any method (the catch-all handlers).
      if (route.getPath() != null && route.methods() != null && !route.methods().isEmpty()) {
        routes.computeIfAbsent(openApiPath(route.getPath()), path -> new LinkedHashSet<>()).addAll(route.methods());
      }
    }
    return routes;
  }

  /** {@code /api/tasks/:id/} → {@code /api/tasks/{id}}. */
  static String openApiPath(String vertxPath) {
    String path = vertxPath.replaceAll(":([A-Za-z0-9_]+)", "{$1}");
    return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }
}
