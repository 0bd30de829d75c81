package io.syncgateway.client.sync;

import io.syncgateway.client.SyncClientOptions;
import io.syncgateway.client.SyncEvent;
import io.syncgateway.client.auth.Credentials;
import io.syncgateway.client.time.Scheduler;
import io.syncgateway.wire.Gzip;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The gateway's HTTP API as the client uses it. Network errors and 5xx are retried with
 * exponential backoff, honouring {@code Retry-After}; 4xx are not. A client-side circuit breaker
 * fails requests fast while the gateway keeps failing, and an offline client sends nothing. A 401
 * renews the token once and repeats the request with it; a second 401 fails the request.
 */
public final class GatewayApi {
  static final String OFFLINE = "offline";
  static final String CIRCUIT_OPEN = "circuit_open";
  static final String NO_TOKEN = "no_token";
  private static final long MAX_RETRY_AFTER_MS = 60_000;

  private final WebClient client;
  private final SyncClientOptions options;
  private final Scheduler scheduler;
  private final ClientCircuitBreaker breaker;
  private final Credentials credentials;
  private final Consumer<SyncEvent> publisher;
  private volatile boolean online = true;

  /** A successful answer and the bytes that travelled. */
  public record Answer(JsonObject body, long bytesSent, long bytesReceived) {}

  public GatewayApi(WebClient client, SyncClientOptions options, Scheduler scheduler, ClientCircuitBreaker breaker) {
    this(client, options, scheduler, breaker,
        new Credentials(options.tokens(), scheduler, options.tokenRefreshMarginMs()), event -> { });
  }

  public GatewayApi(WebClient client, SyncClientOptions options, Scheduler scheduler, ClientCircuitBreaker breaker,
      Credentials credentials, Consumer<SyncEvent> publisher) {
    this.client = client;
    this.options = options;
    this.scheduler = scheduler;
    this.breaker = breaker;
    this.credentials = credentials;
    this.publisher = publisher;
  }

  public void setOnline(boolean online) {
    this.online = online;
  }

  public boolean isOnline() {
    return online;
  }

  public ClientCircuitBreaker breaker() {
    return breaker;
  }

  /** POSTs a batch gzip-compressed; the same body (and batchId) goes out on every retry. */
  public Future<Answer> push(JsonObject body) {
    Buffer gzipped = Buffer.buffer(Gzip.gzip(body.encode().getBytes(StandardCharsets.UTF_8)));
    return send(token -> authorized(client.postAbs(options.baseUrl() + "/api/sync/push"), token)
        .putHeader("Content-Type", "application/json").putHeader("Content-Encoding", "gzip")
        .sendBuffer(gzipped), gzipped.length(), 1);
  }

  /** One pull page; {@code deviceId} null pulls everything, own writes included. */
  public Future<Answer> pull(String since, String deviceId, int limit) {
    String query = "?since=" + encode(since) + "&limit=" + limit + (deviceId == null ? "" : "&deviceId=" + encode(deviceId));
    return get("/api/sync/pull" + query);
  }

  public Future<Answer> get(String pathAndQuery) {
    return send(token -> authorized(client.getAbs(options.baseUrl() + pathAndQuery), token)
        .putHeader("Accept-Encoding", "gzip").send(), 0, 1);
  }

  private static HttpRequest<Buffer> authorized(HttpRequest<Buffer> request, String token) {
    return request.putHeader("Authorization", "Bearer " + token);
  }

  private Future<Answer> send(Function<String, Future<HttpResponse<Buffer>>> request, long bytesSent, int attempt) {
    if (!online) {
      return Future.failedFuture(new GatewayError(0, OFFLINE, "offline"));
    }
    if (!breaker.allowRequest()) {
      return Future.failedFuture(new GatewayError(0, CIRCUIT_OPEN, "client circuit breaker is open"));
    }
    return withToken(credentials.token())
        .compose(token -> authenticated(request, token, bytesSent, attempt));
  }

  /** Sends with {@code token}; after a 401, once more with a renewed token (never more: no loop). */
  private Future<Answer> authenticated(Function<String, Future<HttpResponse<Buffer>>> request, String token,
      long bytesSent, int attempt) {
    return request.apply(token).transform(done -> {
      if (!unauthorized(done)) {
        return answer(done, request, bytesSent, attempt);
      }
      breaker.recordSuccess();
      return withToken(credentials.renewAfterRejection(token))
          .compose(renewed -> request.apply(renewed).transform(again -> {
            if (unauthorized(again)) {
              publisher.accept(SyncEvent.cycle(SyncEvent.Type.AUTHENTICATION_FAILED,
                  "the gateway refused the renewed token too"));
            }
            return answer(again, request, bytesSent, attempt);
          }));
    });
  }

  private static boolean unauthorized(AsyncResult<HttpResponse<Buffer>> done) {
    return done.succeeded() && done.result().statusCode() == 401;
  }

  /** A token from the credentials; when there is none, the request fails without leaving the client. */
  private Future<String> withToken(Future<String> token) {
    return token.recover(error -> {
      String message = "no access token: " + error.getMessage();
      publisher.accept(SyncEvent.cycle(SyncEvent.Type.AUTHENTICATION_FAILED, message));
      return Future.failedFuture(new GatewayError(0, NO_TOKEN, message));
    });
  }

  /** The answer of one attempt: a 200, a 4xx problem, or (network error, 5xx) another attempt later. */
  private Future<Answer> answer(AsyncResult<HttpResponse<Buffer>> done,
      Function<String, Future<HttpResponse<Buffer>>> request, long bytesSent, int attempt) {
    if (done.succeeded() && done.result().statusCode() < 500) {
      breaker.recordSuccess();
      HttpResponse<Buffer> response = done.result();
      Buffer body = response.body() == null ? Buffer.buffer() : response.body();
      if (response.statusCode() == 200) {
        return Future.succeededFuture(new Answer(body.toJsonObject(), bytesSent, body.length()));
      }
      return Future.failedFuture(problem(response));
    }
    breaker.recordFailure();
    GatewayError error = done.succeeded() ? problem(done.result())
        : new GatewayError(0, "network", String.valueOf(done.cause().getMessage()));
    if (attempt >= options.requestAttempts()) {
      return Future.failedFuture(error);
    }
    long delay = done.succeeded() ? retryAfter(done.result(), attempt) : backoff(attempt);
    Promise<Answer> retried = Promise.promise();
    scheduler.schedule(delay, () -> send(request, bytesSent, attempt + 1).onComplete(retried));
    return retried.future();
  }

  private long backoff(int attempt) {
    return Math.min(options.backoffBaseMs() * (1L << Math.min(attempt, 20)), options.backoffCapMs());
  }

  private long retryAfter(HttpResponse<Buffer> response, int attempt) {
    return RetryAfter.millis(response.getHeader("Retry-After")).stream().map(ms -> Math.min(ms, MAX_RETRY_AFTER_MS))
        .findFirst().orElseGet(() -> backoff(attempt));
  }

  private static GatewayError problem(HttpResponse<Buffer> response) {
    String code = null;
    String detail = response.statusMessage();
    try {
      JsonObject problem = response.bodyAsJsonObject();
      if (problem != null) {
        code = problem.getString("code");
        detail = problem.getString("detail", detail);
      }
    } catch (RuntimeException e) {
      // Not problem+json (a proxy's error page): the status says enough.
    }
    return new GatewayError(response.statusCode(), code, "HTTP " + response.statusCode() + " " + detail);
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
