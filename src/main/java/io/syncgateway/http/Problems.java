package io.syncgateway.http;

import io.syncgateway.bus.ErrorCode;
import io.syncgateway.bus.GatewayException;
import io.syncgateway.metrics.SyncMetrics;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Writes RFC 9457 problem responses: the one place where failures become HTTP answers. */
final class Problems {
  static final String CONTENT_TYPE = "application/problem+json";
  private static final String TYPE_PREFIX = "https://sync-gateway.dev/problems/";

  private final int retryAfterSeconds;
  private final SyncMetrics metrics;

  Problems(int retryAfterSeconds, SyncMetrics metrics) {
    this.retryAfterSeconds = retryAfterSeconds;
    this.metrics = metrics;
  }

  void send(RoutingContext rc, GatewayException failure) {
    send(rc, failure.code(), failure.detail());
  }

  void send(RoutingContext rc, ErrorCode code, String detail) {
    HttpServerResponse response = rc.response();
    if (response.ended() || response.closed()) {
      return;
    }
    if (response.headWritten()) {
      response.reset();
      return;
    }
    if (code.status() == 503) {
      response.putHeader("Retry-After", String.valueOf(retryAfterSeconds));
    }
    rc.put(RequestLog.CODE_KEY, code.wire());
    metrics.problem(code.status(), code.wire());
    JsonObject body = new JsonObject()
        .put("type", TYPE_PREFIX + code.wire())
        .put("title", code.title())
        .put("status", code.status())
        .put("detail", detail)
        .put("code", code.wire());
    response.setStatusCode(code.status()).putHeader("Content-Type", CONTENT_TYPE).end(body.encode());
  }
}
