package io.syncgateway.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Gives every request an id (echoed in X-Request-Id) and logs one line when it is answered. */
final class RequestLog implements Handler<RoutingContext> {
  static final String REQUEST_ID_HEADER = "X-Request-Id";
  static final String USER_KEY = "log.user";
  static final String DEVICE_KEY = "log.device";
  static final String CODE_KEY = "log.code";
  static final String OUTCOME_KEY = "log.outcome";
  private static final Logger LOG = LoggerFactory.getLogger("sync.requests");

  @Override
  public void handle(RoutingContext rc) {
    long started = System.nanoTime();
    String incoming = rc.request().getHeader(REQUEST_ID_HEADER);
    String requestId = incoming != null && incoming.length() <= 128 && incoming.matches("[A-Za-z0-9._~:-]+")
        ? incoming : UUID.randomUUID().toString();
    rc.response().putHeader(REQUEST_ID_HEADER, requestId);
    rc.addEndHandler(done -> {
      if (LOG.isInfoEnabled()) {
        LOG.info("request id={} method={} path={} status={} user={} device={} code={} outcome={} durationMs={}",
            requestId, rc.request().method(), rc.request().path(), rc.response().getStatusCode(),
            rc.get(USER_KEY), rc.get(DEVICE_KEY), rc.get(CODE_KEY), rc.get(OUTCOME_KEY),
            (System.nanoTime() - started) / 1_000_000);
      }
    });
    rc.next();
  }
}
