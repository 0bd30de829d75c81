package io.syncgateway.client.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.syncgateway.client.ManualScheduler;
import io.syncgateway.client.SyncClientOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.client.WebClient;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Gateway API: retries, Retry-After, circuit breaker")
class GatewayApiTest {
  private final Vertx vertx = Vertx.vertx();
  private final ManualScheduler time = new ManualScheduler();
  private final Deque<int[]> script = new ArrayDeque<>(); // {status, retryAfterSeconds or -1}
  private final AtomicInteger requests = new AtomicInteger();
  private HttpServer server;
  private GatewayApi api;

  @BeforeEach
  void start() {
    server = vertx.createHttpServer().requestHandler(request -> {
      requests.incrementAndGet();
      int[] answer = script.isEmpty() ? new int[] {200, -1} : script.poll();
      if (answer[1] >= 0) {
        request.response().putHeader("Retry-After", Integer.toString(answer[1]));
      }
      request.response().setStatusCode(answer[0]).putHeader("Content-Type", "application/json")
          .end(answer[0] == 200 ? "{\"ok\":true}" : "{\"code\":\"c" + answer[0] + "\"}");
    }).listen(0, "127.0.0.1").await();
    SyncClientOptions options = SyncClientOptions.of("http://127.0.0.1:" + server.actualPort(), "token")
        .withBackoff(1000, 60_000, 5).withBreaker(3, 10_000);
    api = new GatewayApi(WebClient.create(vertx), options, time, new ClientCircuitBreaker(time, 3, 10_000));
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  private void awaitTimer() {
    long deadline = System.currentTimeMillis() + 5000;
    while (time.pendingTimers() == 0 && System.currentTimeMillis() < deadline) {
      Thread.onSpinWait();
    }
    assertThat(time.pendingTimers()).as("a retry is scheduled").isEqualTo(1);
  }

  @Test
  @DisplayName("a 503 is retried after the Retry-After the server asked for")
  void honoursRetryAfter() {
    script.add(new int[] {503, 7});
    Future<GatewayApi.Answer> answer = api.get("/x");
    awaitTimer();
    time.advance(6999);
    assertThat(requests.get()).isEqualTo(1);
    time.advance(1);
    assertThat(answer.await().body().getBoolean("ok")).isTrue();
    assertThat(requests.get()).isEqualTo(2);
  }

  @Test
  @DisplayName("a 5xx without Retry-After is retried with exponential backoff")
  void backoffWithoutRetryAfter() {
    script.add(new int[] {500, -1});
    Future<GatewayApi.Answer> answer = api.get("/x");
    awaitTimer();
    time.advance(1999);
    assertThat(requests.get()).isEqualTo(1);
    time.advance(1);
    assertThat(answer.await().body().getBoolean("ok")).isTrue();
  }

  @Test
  @DisplayName("a 4xx is not retried and reports its contract code")
  void noRetryFor4xx() {
    script.add(new int[] {400, -1});
    Throwable failure = api.get("/x").transform(done -> Future.succeededFuture(done.cause())).await();
    assertThat(failure).isInstanceOfSatisfying(GatewayError.class, e -> {
      assertThat(e.status()).isEqualTo(400);
      assertThat(e.code()).isEqualTo("c400");
    });
    assertThat(requests.get()).isEqualTo(1);
    assertThat(time.pendingTimers()).isZero();
  }

  @Test
  @DisplayName("after repeated failures the circuit breaker fails requests fast, then lets one trial through")
  void circuitBreaker() {
    // Retry-After 1 s, not 0: a zero-delay retry scheduled while advance() is still running would be
    // run by that same advance() when the answer is quick, and the test would then wait for a timer
    // that never comes.
    for (int i = 0; i < 3; i++) {
      script.add(new int[] {503, 1});
    }
    Future<GatewayApi.Answer> first = api.get("/x");
    for (int i = 0; i < 2; i++) {
      awaitTimer();
      time.advance(1000);
    }
    Throwable failure = first.transform(done -> Future.succeededFuture(done.cause())).await();
    assertThat(failure).isInstanceOf(GatewayError.class);
    assertThat(requests.get()).isEqualTo(3);

    Throwable fast = api.get("/x").transform(done -> Future.succeededFuture(done.cause())).await();
    assertThat(((GatewayError) fast).code()).isEqualTo(GatewayApi.CIRCUIT_OPEN);
    assertThat(requests.get()).isEqualTo(3);

    time.advance(10_000);
    assertThat(api.get("/x").await().body().getBoolean("ok")).isTrue();
    assertThat(api.breaker().state()).isEqualTo(ClientCircuitBreaker.State.CLOSED);
  }
}
