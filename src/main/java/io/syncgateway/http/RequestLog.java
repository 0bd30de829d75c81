package io.syncgateway.http;

import io.vertx.core.AsyncResult;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * Gives every request an id (echoed in X-Request-Id) and logs one line when it is answered, its
 * fields as SLF4J key-value pairs (JSON fields with SYNC_LOG_FORMAT=json): requestId, method, path
 * (never the query: the live-update stream may carry its token in {@code access_token}),
 * status, user, device, code (of a problem answer), the outcome counts a handler recorded, durationMs.
 * Text from the request is escaped ({@link LogText}). A request whose connection closed before its
 * answer was complete is logged 499 {@code client_closed_request} (nginx's convention), unless the
 * gateway closed it and said why ({@link #STATUS_KEY}).
 */
final class RequestLog implements Handler<RoutingContext> {
  static final String REQUEST_ID_HEADER = "X-Request-Id";
  static final String USER_KEY = "log.user";
  static final String DEVICE_KEY = "log.device";
  static final String CODE_KEY = "log.code";
  /** The status to log when the gateway closed the connection instead of answering (e.g. 408). */
  static final String STATUS_KEY = "log.status";
  private static final int CLOSED_BEFORE_ANSWER = 499;
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
      if (!LOG.isInfoEnabled()) {
        return;
      }
      long durationMs = (System.nanoTime() - started) / 1_000_000;
      if (done.succeeded()) {
        log(rc, done, requestId, durationMs);
      } else {
        // A connection closed by a broken body reports the close before the failure handler has
        // said why (STATUS_KEY): log once that has run.
        rc.vertx().runOnContext(later -> log(rc, done, requestId, durationMs));
      }
    });
    rc.next();
  }

  private static void log(RoutingContext rc, AsyncResult<Void> done, String requestId, long durationMs) {
    boolean answered = done.succeeded();
    Integer closedWith = rc.get(STATUS_KEY);
    LoggingEventBuilder line = LOG.atInfo().setMessage("request")
        .addKeyValue("requestId", requestId)
        .addKeyValue("method", LogText.escape(rc.request().method().name()))
        .addKeyValue("path", LogText.escape(String.valueOf(rc.request().path())))
        .addKeyValue("status", answered ? rc.response().getStatusCode()
            : closedWith != null ? closedWith : CLOSED_BEFORE_ANSWER);
    addIfKnown(line, "user", rc.get(USER_KEY));
    addIfKnown(line, "device", rc.get(DEVICE_KEY));
    addIfKnown(line, "code", answered || closedWith != null ? rc.get(CODE_KEY) : "client_closed_request");
    Map<String, Object> outcome = rc.get(OUTCOME_KEY);
    if (outcome != null) {
      outcome.forEach(line::addKeyValue);
    }
    line.addKeyValue("durationMs", durationMs).log();
  }

  private static void addIfKnown(LoggingEventBuilder line, String key, Object value) {
    if (value != null) {
      line.addKeyValue(key, value instanceof String text ? LogText.escape(text) : value);
    }
  }
}
