package io.syncgateway.testsupport;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A Server-Sent Events reader for tests: opens GET {@code pathAndQuery} on a connection of its own,
 * then queues the stream's lines as they arrive; {@link #nextEvent} and {@link #nextComment} wait
 * for what the gateway writes. The end of the stream is the line {@link #END}. Closing closes the
 * connection, as a client going away does.
 */
public final class SseClient implements AutoCloseable {
  public static final String END = "\u0000end";
  private static final Vertx VERTX = Vertx.vertx();

  private final HttpClient client;
  private final HttpClientResponse response;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final StringBuilder partial = new StringBuilder();
  private String body;

  /** An event as written: its name ({@code event:}) and data ({@code data:}). */
  public record Event(String name, String data) {}

  private SseClient(HttpClient client, HttpClientResponse response) {
    this.client = client;
    this.response = response;
  }

  /** Opens a stream; returns once the response head has arrived (and, for an answer that is not a stream, its body). */
  public static SseClient open(int port, String pathAndQuery, String bearerToken) {
    return open(port, pathAndQuery, bearerToken, Map.of());
  }

  /** Opens a stream with extra request headers. */
  public static SseClient open(int port, String pathAndQuery, String bearerToken, Map<String, String> headers) {
    HttpClient client = VERTX.createHttpClient();
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(port)
        .setURI(pathAndQuery);
    if (bearerToken != null) {
      options.putHeader("Authorization", "Bearer " + bearerToken);
    }
    headers.forEach(options::putHeader);
    // Paused on arrival: no line is lost before the handlers below are set.
    HttpClientResponse response = client.request(options).compose(request -> request.send())
        .map(HttpClientResponse::pause).await();
    SseClient sse = new SseClient(client, response);
    if (response.statusCode() == 200) {
      response.handler(sse::received).endHandler(ended -> sse.ended()).exceptionHandler(failed -> sse.ended());
      response.request().connection().closeHandler(closed -> sse.ended());
      response.resume();
    } else {
      Future<io.vertx.core.buffer.Buffer> body = response.body();
      response.resume();
      sse.body = body.await().toString();
    }
    return sse;
  }

  public int status() {
    return response.statusCode();
  }

  public String header(String name) {
    return response.getHeader(name);
  }

  /** The body of an answer that is not a stream (a problem). */
  public String body() {
    return body;
  }

  private synchronized void received(io.vertx.core.buffer.Buffer chunk) {
    partial.append(chunk.toString());
    for (int newline = partial.indexOf("\n"); newline >= 0; newline = partial.indexOf("\n")) {
      lines.add(partial.substring(0, newline));
      partial.delete(0, newline + 1);
    }
  }

  private synchronized void ended() {
    if (!lines.contains(END)) {
      lines.add(END);
    }
  }

  /** The next event (comments skipped), or null if none within {@code timeout}; an {@code END} event at the end. */
  public Event nextEvent(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    String name = null;
    StringBuilder data = new StringBuilder();
    while (true) {
      String line = poll(deadline);
      if (line == null) {
        return null;
      }
      if (line.equals(END)) {
        return new Event(END, null);
      }
      if (line.startsWith("event: ")) {
        name = line.substring("event: ".length());
      } else if (line.startsWith("data: ")) {
        data.append(line.substring("data: ".length()));
      } else if (line.isEmpty() && name != null) {
        return new Event(name, data.toString());
      }
    }
  }

  /** The next comment line (without its leading ": "), skipping everything else; null if none in time. */
  public String nextComment(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (String line = poll(deadline); line != null && !line.equals(END); line = poll(deadline)) {
      if (line.startsWith(": ")) {
        return line.substring(2);
      }
    }
    return null;
  }

  private String poll(long deadline) {
    try {
      return lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  @Override
  public void close() {
    client.close().await();
  }
}
