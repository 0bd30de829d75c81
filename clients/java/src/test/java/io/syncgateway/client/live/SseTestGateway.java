package io.syncgateway.client.live;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in gateway for live-updates tests: {@code GET /api/sync/events} by PROTOCOL §9 (or a
 * 404 / 503 answer, as the test chooses) and a {@code GET /api/sync/pull} that counts calls and
 * serves what the test queued for the next one (empty pages otherwise).
 * The test sends events and ends streams at will.
 */
public final class SseTestGateway implements AutoCloseable {
  /** How the next subscriptions are answered. */
  private enum Answer { STREAM, NOT_FOUND, OVERLOADED }

  private final Vertx vertx = Vertx.vertx();
  private final HttpServer server;
  private final AtomicInteger subscriptions = new AtomicInteger();
  private final AtomicInteger pulls = new AtomicInteger();
  private volatile Answer answer = Answer.STREAM;
  private volatile int retryAfterSeconds;
  private volatile HttpServerResponse stream;
  private volatile String lastQuery;
  private volatile JsonObject nextPage = new JsonObject();

  public SseTestGateway() {
    server = vertx.createHttpServer().requestHandler(this::handle).listen(0, "127.0.0.1").await();
  }

  public String url() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  void answerNotFound() {
    answer = Answer.NOT_FOUND;
  }

  void answerOverloaded(int retryAfter) {
    retryAfterSeconds = retryAfter;
    answer = Answer.OVERLOADED;
  }

  void answerStreams() {
    answer = Answer.STREAM;
  }

  /** Subscription requests received, whatever the answer. */
  int subscriptions() {
    return subscriptions.get();
  }

  int pulls() {
    return pulls.get();
  }

  String lastQuery() {
    return lastQuery;
  }

  boolean streaming() {
    return stream != null;
  }

  /** Writes raw text to the open stream, as it would arrive on the wire. */
  void write(String text) {
    HttpServerResponse open = stream;
    vertx.runOnContext(v -> open.write(text));
  }

  public void changes(String... types) {
    write("event: changes\ndata: " + new JsonObject().put("types", new JsonArray(List.of(types)))
        .put("timestamp", System.currentTimeMillis()).encode() + "\n\n");
  }

  /** Ends the open stream cleanly, as at shutdown or load shedding. */
  void endStream() {
    HttpServerResponse open = stream;
    stream = null;
    vertx.runOnContext(v -> open.end());
  }

  /** Announces the token's expiry and ends the stream, as §9 says. */
  void reauthenticate() {
    write("event: reauthenticate\ndata: {}\n\n");
    endStream();
  }

  /** The next pull returns {@code entity} under {@code plural} (e.g. "tasks"), then pulls are empty again. */
  public void servePulled(String plural, JsonObject entity) {
    nextPage = new JsonObject().put(plural, new JsonArray().add(entity));
  }

  private void handle(HttpServerRequest request) {
    switch (request.path()) {
      case HttpEventStream.PATH -> subscribe(request);
      case "/api/sync/pull" -> {
        pulls.incrementAndGet();
        JsonObject page = nextPage;
        nextPage = new JsonObject();
        request.response().putHeader("Content-Type", "application/json").end(page
            .put("cursor", "c" + pulls.get()).put("hasMore", false).put("timestamp", System.currentTimeMillis())
            .encode());
      }
      default -> problem(request.response(), 404, "not_found");
    }
  }

  private void subscribe(HttpServerRequest request) {
    subscriptions.incrementAndGet();
    lastQuery = request.query();
    if (!"Bearer token".equals(request.getHeader("Authorization"))) {
      problem(request.response(), 401, "unauthorized");
      return;
    }
    switch (answer) {
      case NOT_FOUND -> problem(request.response(), 404, "not_found");
      case OVERLOADED -> problem(request.response().putHeader("Retry-After", Integer.toString(retryAfterSeconds)),
          503, "overloaded");
      case STREAM -> {
        HttpServerResponse response = request.response().setChunked(true)
            .putHeader("Content-Type", "text/event-stream").putHeader("Cache-Control", "no-cache");
        // Headers go out at once: the client's subscription completes on them, before any event.
        response.writeHead();
        stream = response;
      }
    }
  }

  private static void problem(HttpServerResponse response, int status, String code) {
    response.setStatusCode(status).putHeader("Content-Type", "application/problem+json")
        .end(new JsonObject().put("status", status).put("code", code).encode());
  }

  @Override
  public void close() {
    vertx.close().await();
  }
}
