package io.syncgateway.http;

import io.syncgateway.bus.ErrorCode;
import io.syncgateway.bus.GatewayException;
import io.syncgateway.metrics.SyncMetrics;
import io.vertx.core.Future;
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

  /** Completes when the answer is written (or at once when there is nothing to write). */
  Future<Void> send(RoutingContext rc, ErrorCode code, String detail) {
    HttpServerResponse response = rc.response();
    if (!response.ended() && !response.closed() && !response.headWritten()) {
      rc.put(RequestLog.CODE_KEY, code.wire());
    }
    return send(response, code, detail);
  }

  /** For requests the router never sees (the server's invalid-request handler). */
  Future<Void> send(HttpServerResponse response, ErrorCode code, String detail) {
    if (response.ended() || response.closed()) {
      return Future.succeededFuture();
    }
    if (response.headWritten()) {
      response.reset();
      return Future.succeededFuture();
    }
    if (code.status() == 503) {
      response.putHeader("Retry-After", String.valueOf(retryAfterSeconds));
    }
    metrics.problem(code.status(), code.wire());
    JsonObject body = new JsonObject()
        .put("type", TYPE_PREFIX + code.wire())
        .put("title", code.title())
        .put("status", code.status())
        .put("detail", detail)
        .put("code", code.wire());
    return response.setStatusCode(code.status()).putHeader("Content-Type", CONTENT_TYPE).end(body.encode());
  }
}
