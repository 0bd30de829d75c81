package io.syncgateway.http;

import io.netty.handler.codec.DecoderException;
import io.syncgateway.auth.TokenService;
import io.syncgateway.bus.Addresses;
import io.syncgateway.bus.BusCodecs;
import io.syncgateway.bus.BusErrors;
import io.syncgateway.bus.ErrorCode;
import io.syncgateway.bus.GatewayException;
import io.syncgateway.config.GatewayConfig;
import io.syncgateway.config.Setting;
import io.syncgateway.entity.EntityType;
import io.syncgateway.memory.MemoryBudget;
import io.syncgateway.metrics.SyncMetrics;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** HTTP ingress: routes, authentication and the mapping of every failure to a problem response. */
public class HttpVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(HttpVerticle.class);
  private static final long CLOSE_AFTER_ANSWER_MS = 500;

  /** Known paths and their methods, so a wrong method gets 405 with Allow and an unknown path 404. */
  private final List<KnownPath> knownPaths = new ArrayList<>();
  private final RequestDrain drain;
  private Problems problems;
  private HttpServer server;
  private LiveEvents live;

  private record KnownPath(Pattern pattern, Set<HttpMethod> methods) {}

  /** @param drain shared by every instance of this verticle in the process, awaited on shutdown */
  public HttpVerticle(RequestDrain drain) {
    this.drain = drain;
  }

  @Override
  public Future<?> start() {
    BusCodecs.register(vertx);
    GatewayConfig config = GatewayConfig.from(config());
    SyncMetrics metrics = SyncMetrics.of(config.string(Setting.METRICS_REGISTRY));
    problems = new Problems(config.integer(Setting.RETRY_AFTER_SECONDS), metrics);
    DeliveryOptions busOptions = new DeliveryOptions().setSendTimeout(config.number(Setting.BUS_TIMEOUT_MS));
    TokenService tokens = TokenService.fromConfig(vertx, config);
    PushHandler push = new PushHandler(vertx.eventBus(), busOptions);
    MemoryBudget memory = MemoryBudget.shared(vertx, config, metrics);
    PullHandler pull = new PullHandler(vertx.eventBus(), busOptions,
        config.integer(Setting.PULL_DEFAULT_LIMIT), config.integer(Setting.PULL_MAX_LIMIT),
        memory, config.number(Setting.PULL_PAGE_BYTES));
    TaskHandler tasks = new TaskHandler(vertx.eventBus(), busOptions);
    AdminHandler admin = new AdminHandler(vertx.eventBus(), busOptions, config.number(Setting.RETENTION_MS));
    LiveStreamCounts streamCounts = LiveStreamCounts.forProcess(vertx, config.integer(Setting.LIVE_MAX_STREAMS),
        config.integer(Setting.LIVE_MAX_STREAMS_PER_USER));
    metrics.liveStreamsOpen(streamCounts::open);
    live = new LiveEvents(vertx, streamCounts, drain, metrics);
    live.start(config.number(Setting.LIVE_PING_INTERVAL_MS));
    drain.whenDraining(() -> context.runOnContext(draining -> live.endAll()));

    HttpServerOptions options = serverOptions(config);
    ConnectionCounts counts = ConnectionCounts.forProcess(vertx, config.integer(Setting.HTTP_MAX_CONNECTIONS),
        config.integer(Setting.HTTP_MAX_CONNECTIONS_PER_ADDRESS));
    metrics.openConnections(counts::open);
    ConnectionGuard guard = new ConnectionGuard(vertx, counts,
        new ConnectionGuard.Deadlines(config.number(Setting.HTTP_HEADER_TIMEOUT_MS),
            config.number(Setting.HTTP_BODY_TIMEOUT_MS), config.number(Setting.HTTP_IDLE_TIMEOUT_MS)),
        metrics);

    Router router = Router.router(vertx);
    router.route().handler(guard::requestStarted);
    router.route().handler(new RequestLog());
    router.route().handler(CorsPolicy.fromConfig(config, this::methodsOf, problems));
    router.route().handler(this::refuseWhenShuttingDown);
    router.route("/api/*").handler(new Authenticator(tokens, Set.of(LiveEvents.PATH)));

    // Headers are judged before the body is read; Vert.x wants the body handler first on its route.
    on(router, "/api/sync/push", HttpMethod.POST).handler(push::checkHeaders)
        .handler(new BodyMemory(memory, config.number(Setting.MAX_BODY_BYTES)));
    router.post("/api/sync/push")
        .handler(BodyHandler.create(false).setBodyLimit(config.number(Setting.MAX_BODY_BYTES)))
        .handler(push::handle);
    onRead(router, "/api/sync/pull").handler(pull.forType(null));
    for (EntityType type : EntityType.values()) {
      onRead(router, "/api/sync/pull/" + type.plural()).handler(pull.forType(type));
    }
    onRead(router, LiveEvents.PATH).handler(live::handle);
    onRead(router, "/api/tasks/:id").handler(tasks.reading(Addresses.TASK_GET));
    onRead(router, "/api/tasks/:id/comments").handler(tasks.reading(Addresses.TASK_COMMENTS));
    onRead(router, "/api/admin/devices").handler(admin::devices);
    on(router, "/api/admin/devices/:id/resync", HttpMethod.POST).handler(admin::forceResync);
    onRead(router, "/api/admin/sync-log").handler(admin::syncLog);
    onRead(router, "/api/admin/stats").handler(admin::stats);
    onRead(router, "/health/live").handler(Liveness.of(vertx));
    onRead(router, "/health/ready").handler(HealthCheckHandler.createWithHealthChecks(Readiness.checks(vertx)));
    onRead(router, "/metrics").handler(PrometheusScrapingHandler.create(config.string(Setting.METRICS_REGISTRY)));
    onRead(router, OpenApiDocument.PATH).handler(OpenApiDocument.fromClasspath());
    DemoPages.mount(router, config);
    router.route().handler(this::noRoute);
    router.route().failureHandler(this::failure);
    RouteListing.of(vertx).publish(router);

    server = vertx.createHttpServer(options)
        .connectionHandler(connection -> {
          if (guard.admit(connection)) {
            StrictFraming.install(connection, options);
          }
        })
        .invalidRequestHandler(this::invalidRequest);
    return server.requestHandler(router).listen(config.integer(Setting.HTTP_PORT));
  }

  private static HttpServerOptions serverOptions(GatewayConfig config) {
    return new HttpServerOptions()
        .setCompressionSupported(true)
        // gzip level 1: several times faster than the default 6 on pull pages, a few percent larger.
        .setCompressionLevel(1)
        .setHost(config.string(Setting.HTTP_HOST))
        .setIdleTimeout(config.integer(Setting.HTTP_IDLE_TIMEOUT_MS))
        .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
        // Off unless configured: one cleartext HTTP/2 connection multiplexes many requests past the
        // per-connection defences, and no client of the contract needs it (TLS proxies speak h2 in front).
        .setHttp2ClearTextEnabled(Boolean.parseBoolean(config.string(Setting.HTTP2_CLEARTEXT)));
  }

  /**
   * Closes a connection whose input can no longer be trusted, a moment after its answer: closing
   * with unread input (the rest of the bad request) resets the connection, and a reset can make the
   * client drop the answer before reading it.
   */
  private void closeSoon(HttpConnection connection) {
    vertx.setTimer(CLOSE_AFTER_ANSWER_MS, fired -> connection.close());
  }

  /** A request Netty could not decode: conflicting framing gets the contract's answer, the rest Vert.x's. */
  private void invalidRequest(HttpServerRequest request) {
    if (!StrictFraming.refused(request)) {
      HttpServerRequest.DEFAULT_INVALID_REQUEST_HANDLER.handle(request);
      return;
    }
    request.response().putHeader("Connection", "close")
        .putHeader(RequestLog.REQUEST_ID_HEADER, UUID.randomUUID().toString());
    problems.send(request.response(), ErrorCode.INVALID_REQUEST,
            "Transfer-Encoding and Content-Length together are not allowed (RFC 9112 section 6.3)")
        .onComplete(sent -> closeSoon(request.connection()));
  }

  @Override
  public Future<?> stop() {
    live.endAll();
    return server.close();
  }

  /** While shutting down, new requests get 503 and their connection is closed after the answer. */
  private void refuseWhenShuttingDown(RoutingContext rc) {
    if (drain.admit(rc)) {
      rc.next();
      return;
    }
    rc.response().putHeader("Connection", "close");
    problems.send(rc, ErrorCode.UNAVAILABLE, "The gateway is shutting down; retry on another instance or later");
  }

  private Route on(Router router, String path, HttpMethod... methods) {
    String regex = "^" + path.replaceAll(":[a-z]+", "[^/]+") + "/?$";
    knownPaths.add(new KnownPath(Pattern.compile(regex), Set.of(methods)));
    Route route = router.route(path);
    for (HttpMethod method : methods) {
      route.method(method);
    }
    return route;
  }

  /** HEAD works wherever GET does. */
  private Route onRead(Router router, String path) {
    return on(router, path, HttpMethod.GET, HttpMethod.HEAD);
  }

  private Set<HttpMethod> methodsOf(String path) {
    Set<HttpMethod> allowed = new LinkedHashSet<>();
    knownPaths.stream().filter(known -> known.pattern().matcher(path).matches())
        .forEach(known -> allowed.addAll(known.methods()));
    return allowed;
  }

  private void noRoute(RoutingContext rc) {
    Set<HttpMethod> allowed = methodsOf(rc.request().path());
    if (allowed.isEmpty()) {
      problems.send(rc, ErrorCode.NOT_FOUND, "No such resource");
      return;
    }
    rc.response().putHeader("Allow", allowed.stream().map(HttpMethod::name).collect(Collectors.joining(", ")));
    problems.send(rc, ErrorCode.METHOD_NOT_ALLOWED, "Allowed methods: " + rc.response().headers().get("Allow"));
  }

  private void failure(RoutingContext rc) {
    Throwable error = rc.failure();
    if (isClientFault(rc, error)) {
      answerClientFault(rc, error);
      return;
    }
    if (error == null || !(error instanceof GatewayException || error instanceof io.vertx.core.eventbus.ReplyException)) {
      int status = rc.statusCode();
      if (status == 413) {
        problems.send(rc, ErrorCode.PAYLOAD_TOO_LARGE, "The request body exceeds the limit");
        return;
      }
      if (status == 401) {
        problems.send(rc, ErrorCode.UNAUTHORIZED, "Missing or invalid bearer token");
        return;
      }
      if (status >= 400 && status < 500) {
        problems.send(rc, ErrorCode.INVALID_REQUEST, "The request could not be read");
        return;
      }
    }
    GatewayException failure = BusErrors.asGatewayException(error);
    if (failure.code() == ErrorCode.INTERNAL) {
      LOG.error("Unexpected failure on {} {}", rc.request().method(), LogText.escape(rc.request().path()), error);
    }
    problems.send(rc, failure);
  }

  /**
   * A failure from the connection while the request body was still arriving: the client went away,
   * or sent a body Netty cannot decode (a chunk size that is not hex gives NumberFormatException,
   * other framing faults DecoderException). Not an error of ours, so no stack trace; the request
   * log line says what happened. Anything else (a bug) stays a 500 logged with its stack trace.
   */
  private static boolean isClientFault(RoutingContext rc, Throwable error) {
    return !rc.request().isEnded() && (error instanceof HttpClosedException || error instanceof DecoderException
        || error instanceof NumberFormatException);
  }

  /**
   * Nothing to answer when the client left. A body Netty cannot decode is 400: Vert.x closes the
   * connection at once (its decoder cannot find the next request), so the answer gets through only
   * when it wins that race; the log says 400 either way.
   */
  private void answerClientFault(RoutingContext rc, Throwable error) {
    LOG.debug("Request body unreadable on {} {}: {}", rc.request().method(), LogText.escape(rc.request().path()),
        error.toString());
    if (error instanceof HttpClosedException) {
      return;
    }
    rc.put(RequestLog.STATUS_KEY, ErrorCode.INVALID_REQUEST.status());
    rc.put(RequestLog.CODE_KEY, ErrorCode.INVALID_REQUEST.wire());
    rc.response().putHeader("Connection", "close");
    problems.send(rc, ErrorCode.INVALID_REQUEST, "The request body could not be read")
        .onComplete(sent -> closeSoon(rc.request().connection()));
  }
}
