package io.syncgateway.http;

import io.syncgateway.auth.Principal;
import io.syncgateway.bus.Addresses;
import io.syncgateway.bus.ErrorCode;
import io.syncgateway.bus.GatewayException;
import io.syncgateway.bus.Replies;
import io.syncgateway.entity.EntityType;
import io.syncgateway.live.ChangeNotice;
import io.syncgateway.metrics.SyncMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Set;

/**
 * GET /api/sync/events (PROTOCOL §9): the live-update streams of one HTTP verticle instance. Every
 * instance consumes {@value Addresses#LIVE_CHANGES} and pokes its own streams; all of them are
 * confined to the instance's event loop.
 */
final class LiveEvents {
  static final String PATH = "/api/sync/events";
  private static final Set<String> PARAMETERS = Set.of("deviceId", "types", Authenticator.QUERY_TOKEN);

  private final Vertx vertx;
  private final LiveStreamCounts counts;
  private final RequestDrain drain;
  private final SyncMetrics metrics;
  private final Set<EventStream> streams = new HashSet<>();

  LiveEvents(Vertx vertx, LiveStreamCounts counts, RequestDrain drain, SyncMetrics metrics) {
    this.vertx = vertx;
    this.counts = counts;
    this.drain = drain;
    this.metrics = metrics;
  }

  /** Listens for the process's change notices and pings every stream each {@code pingIntervalMs}. */
  void start(long pingIntervalMs) {
    vertx.eventBus().<JsonObject>consumer(Addresses.LIVE_CHANGES, Replies.replying(this::changed));
    vertx.setPeriodic(pingIntervalMs, fired -> streams.forEach(EventStream::ping));
  }

  private Future<Void> changed(JsonObject message) {
    if (message.getBoolean("reconnected", false)) {
      streams.forEach(EventStream::announceAll);
      return Future.succeededFuture();
    }
    ChangeNotice notice = ChangeNotice.fromJson(message);
    if (notice != null) {
      streams.forEach(stream -> stream.announce(notice));
    }
    return Future.succeededFuture();
  }

  void handle(RoutingContext rc) {
    StrictQuery query = StrictQuery.of(rc, PARAMETERS);
    String deviceId = PullHandler.deviceId(rc, query);
    Set<EntityType> types = query.raw("types") == null ? EnumSet.allOf(EntityType.class)
        : PullHandler.named(query.raw("types"));
    rc.put(RequestLog.DEVICE_KEY, deviceId);
    if (rc.request().method() == HttpMethod.HEAD) {
      // HEAD works wherever GET does (A.13): the head a stream would open with, and no stream.
      streamHead(rc.response()).end();
      return;
    }
    Principal principal = Authenticator.principal(rc);
    String user = principal.orgId() + "\n" + principal.userId();
    admit(user);
    // A stream lasts until its client, its token or the shutdown ends it: shutdown must not wait for it.
    drain.release(rc);
    HttpServerResponse response = streamHead(rc.response().setChunked(true));
    EventStream stream = new EventStream(response, principal.orgId(), deviceId, types, metrics);
    streams.add(stream);
    long expiry = principal.expiresAtMillis() > 0
        ? vertx.setTimer(Math.max(1, principal.expiresAtMillis() - System.currentTimeMillis()),
            fired -> stream.reauthenticate())
        : -1;
    rc.addEndHandler(done -> {
      stream.ended();
      streams.remove(stream);
      counts.close(user);
      vertx.cancelTimer(expiry);
    });
    // Sends the head at once, so that the client knows the stream is open.
    response.write(": connected\n\n");
  }

  private static HttpServerResponse streamHead(HttpServerResponse response) {
    return response.putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
        .putHeader("X-Accel-Buffering", "no")
        // Not gzipped: a compressor may hold small events back until its buffer fills.
        .putHeader(HttpHeaders.CONTENT_ENCODING, HttpHeaders.IDENTITY);
  }

  private void admit(String user) {
    switch (counts.open(user)) {
      case USER_CAP -> {
        metrics.liveStreamRefused("user_cap");
        throw new GatewayException(ErrorCode.OVERLOADED, "Too many live-update streams for this user; close one first");
      }
      case PROCESS_CAP -> {
        metrics.liveStreamRefused("process_cap");
        throw new GatewayException(ErrorCode.OVERLOADED, "Too many live-update streams on this gateway; retry later");
      }
      case OPENED -> { }
    }
  }

  /** Shutdown or undeployment: every stream ends at once; clients reconnect elsewhere with backoff. */
  void endAll() {
    new ArrayList<>(streams).forEach(EventStream::end);
  }
}
