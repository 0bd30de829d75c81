package io.syncgateway.http;

import io.syncgateway.bus.ErrorCode;
import io.syncgateway.config.GatewayConfig;
import io.syncgateway.config.Setting;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.Arrays;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Cross-origin requests from browsers (PROTOCOL §10). Runs before authentication, because a
 * preflight never carries the token: a preflight from an allowed origin is answered 204 with the
 * route's methods and the contract's request headers; one from any other origin is 403. Other
 * requests from an allowed origin get {@code Access-Control-Allow-Origin} and the exposed headers;
 * from another origin they go on without them, so the browser keeps the answer from the page while
 * clients that are not browsers (which send no Origin, or ignore these headers) work as before.
 */
final class CorsPolicy implements Handler<RoutingContext> {
  /** The configuration value that allows every origin: for development only. */
  static final String ANY_ORIGIN = "*";
  static final String ALLOWED_HEADERS = "Authorization, Content-Type, Content-Encoding, X-Device-Id, X-Request-Id";
  static final String EXPOSED_HEADERS = "Retry-After, X-Request-Id";
  /** Browsers cap this (Chromium at 2 h); 10 min keeps a changed policy from lingering long. */
  private static final String PREFLIGHT_MAX_AGE_SECONDS = "600";

  private final Set<String> origins;
  private final boolean anyOrigin;
  private final Function<String, Set<HttpMethod>> routeMethods;
  private final Problems problems;

  CorsPolicy(Set<String> origins, Function<String, Set<HttpMethod>> routeMethods, Problems problems) {
    this.origins = origins;
    this.anyOrigin = origins.contains(ANY_ORIGIN);
    this.routeMethods = routeMethods;
    this.problems = problems;
  }

  /** @param routeMethods the methods of the route a path belongs to (empty for an unknown path) */
  static CorsPolicy fromConfig(GatewayConfig config, Function<String, Set<HttpMethod>> routeMethods,
      Problems problems) {
    String configured = config.string(Setting.CORS_ORIGINS);
    Set<String> origins = configured == null ? Set.of() : Arrays.stream(configured.split(","))
        .map(String::trim).map(CorsPolicy::withoutTrailingSlash).filter(origin -> !origin.isEmpty())
        .collect(Collectors.toUnmodifiableSet());
    return new CorsPolicy(origins, routeMethods, problems);
  }

  @Override
  public void handle(RoutingContext rc) {
    String origin = rc.request().getHeader("Origin");
    if (origin == null) {
      rc.next();
      return;
    }
    HttpServerResponse response = rc.response();
    // The answer depends on Origin: caches must not hand one origin's answer to another.
    response.putHeader("Vary", "Origin");
    boolean allowed = allows(origin);
    if (isPreflight(rc)) {
      answerPreflight(rc, origin, allowed);
      return;
    }
    if (allowed) {
      response.putHeader("Access-Control-Allow-Origin", origin)
          .putHeader("Access-Control-Expose-Headers", EXPOSED_HEADERS);
    }
    rc.next();
  }

  boolean allows(String origin) {
    return anyOrigin || origins.contains(withoutTrailingSlash(origin));
  }

  private static boolean isPreflight(RoutingContext rc) {
    return rc.request().method() == HttpMethod.OPTIONS
        && rc.request().getHeader("Access-Control-Request-Method") != null;
  }

  private void answerPreflight(RoutingContext rc, String origin, boolean allowed) {
    if (!allowed) {
      problems.send(rc, ErrorCode.FORBIDDEN, "Cross-origin requests from this origin are not allowed");
      return;
    }
    Set<HttpMethod> methods = routeMethods.apply(rc.request().path());
    if (methods.isEmpty()) {
      problems.send(rc, ErrorCode.NOT_FOUND, "No such resource");
      return;
    }
    rc.response().setStatusCode(204)
        .putHeader("Access-Control-Allow-Origin", origin)
        .putHeader("Access-Control-Allow-Methods",
            methods.stream().map(HttpMethod::name).sorted().collect(Collectors.joining(", ")))
        .putHeader("Access-Control-Allow-Headers", ALLOWED_HEADERS)
        .putHeader("Access-Control-Max-Age", PREFLIGHT_MAX_AGE_SECONDS)
        .end();
  }

  private static String withoutTrailingSlash(String origin) {
    return origin.endsWith("/") ? origin.substring(0, origin.length() - 1) : origin;
  }
}
