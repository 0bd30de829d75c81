package io.syncgateway.client.live;

import io.syncgateway.client.auth.Credentials;
import io.syncgateway.client.sync.RetryAfter;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * {@code GET /api/sync/events} on a Vert.x {@link HttpClient}. The client's idle timeout doubles as
 * the stream's watchdog: the gateway writes a ping at least every 15 s, so a silent connection is
 * a dead one. Each subscription takes the client's current token, so a reconnection after the
 * token was renewed uses the new one.
 */
public final class HttpEventStream implements EventStream {
  static final String PATH = "/api/sync/events";

  private final HttpClient client;
  private final String baseUrl;
  private final Credentials credentials;
  private final String deviceId;
  private volatile String lastToken;

  public HttpEventStream(HttpClient client, String baseUrl, Credentials credentials, String deviceId) {
    this.client = client;
    this.baseUrl = baseUrl;
    this.credentials = credentials;
    this.deviceId = deviceId;
  }

  @Override
  public Future<Void> renewCredentials() {
    String rejected = lastToken;
    return (rejected == null ? credentials.token() : credentials.renewAfterRejection(rejected)).mapEmpty();
  }

  @Override
  public Future<Subscription> open(Consumer<ServerSentEvent> events, Consumer<String> ended) {
    return credentials.token().compose(token -> {
      lastToken = token;
      return open(token, events, ended);
    });
  }

  private Future<Subscription> open(String token, Consumer<ServerSentEvent> events, Consumer<String> ended) {
    RequestOptions request = new RequestOptions().setMethod(HttpMethod.GET)
        .setAbsoluteURI(baseUrl + PATH + "?deviceId=" + URLEncoder.encode(deviceId, StandardCharsets.UTF_8))
        .putHeader("Authorization", "Bearer " + token).putHeader("Accept", "text/event-stream")
        // A poke must not wait in a compressor's buffer.
        .putHeader("Accept-Encoding", "identity");
    return client.request(request)
        .compose(sent -> sent.send())
        .compose(response -> isEventStream(response) ? Future.succeededFuture(read(response, events, ended))
            : refuse(response));
  }

  private static boolean isEventStream(HttpClientResponse response) {
    String type = response.getHeader("Content-Type");
    return response.statusCode() == 200 && type != null && type.startsWith("text/event-stream");
  }

  private static Subscription read(HttpClientResponse response, Consumer<ServerSentEvent> events,
      Consumer<String> ended) {
    AtomicBoolean over = new AtomicBoolean();
    SseParser parser = new SseParser(events);
    response.handler(parser::feed);
    response.endHandler(v -> {
      if (over.compareAndSet(false, true)) {
        ended.accept("the gateway ended the stream");
      }
    });
    response.exceptionHandler(e -> {
      if (over.compareAndSet(false, true)) {
        ended.accept(String.valueOf(e.getMessage()));
      }
    });
    return () -> {
      if (over.compareAndSet(false, true)) {
        response.request().reset();
      }
    };
  }

  private static Future<Subscription> refuse(HttpClientResponse response) {
    long retryAfter = RetryAfter.millis(response.getHeader("Retry-After")).orElse(-1);
    String message = "HTTP " + response.statusCode() + " " + response.statusMessage();
    // Drain the (problem+json) body so the connection can be reused.
    return response.body().transform(ignored -> Future.failedFuture(
        new StreamRefused(response.statusCode(), retryAfter, message)));
  }
}
