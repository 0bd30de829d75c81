package io.syncgateway.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * Gives every request an id (echoed in X-Request-Id) and logs one line when it is answered, its
 * fields as SLF4J key-value pairs (JSON fields with SYNC_LOG_FORMAT=json): requestId, method, path,
 * status, user, device, code (of a problem answer), the outcome counts a handler recorded, durationMs.
 */
final class RequestLog implements Handler<RoutingContext> {
  static final String REQUEST_ID_HEADER = "X-Request-Id";
  static final String USER_KEY = "log.user";
  static final String DEVICE_KEY = "log.device";
  static final String CODE_KEY = "log.code";
  /** A {@code Map<String, Object>} of outcome counts, in the order they should be logged. */
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
        log(rc, requestId, (System.nanoTime() - started) / 1_000_000);
      }
    });
    rc.next();
  }

  private static void log(RoutingContext rc, String requestId, long durationMs) {
    LoggingEventBuilder line = LOG.atInfo().setMessage("request")
        .addKeyValue("requestId", requestId)
        .addKeyValue("method", rc.request().method().name())
        .addKeyValue("path", rc.request().path())
        .addKeyValue("status", rc.response().getStatusCode());
    addIfKnown(line, "user", rc.get(USER_KEY));
    addIfKnown(line, "device", rc.get(DEVICE_KEY));
    addIfKnown(line, "code", rc.get(CODE_KEY));
    Map<String, Object> outcome = rc.get(OUTCOME_KEY);
    if (outcome != null) {
      outcome.forEach(line::addKeyValue);
    }
    line.addKeyValue("durationMs", durationMs).log();
  }

  private static void addIfKnown(LoggingEventBuilder line, String key, Object value) {
    if (value != null) {
      line.addKeyValue(key, value);
    }
  }
}
