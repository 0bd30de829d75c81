package io.syncgateway.resilience;

import static io.syncgateway.testsupport.Changes.batch;
import static io.syncgateway.testsupport.Changes.clock;
import static io.syncgateway.testsupport.Changes.task;
import static io.syncgateway.testsupport.Changes.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;

import io.syncgateway.config.Setting;
import io.syncgateway.persistence.db.PgUrl;
import io.syncgateway.testsupport.GatewayHarness;
import io.syncgateway.testsupport.StallingProxy;
import io.syncgateway.testsupport.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Work hung on a database that does not answer must not make other requests wait for its slots. The
 * contract (PROTOCOL §7, rule 14) is 503 within 100 ms while the database is unavailable; these
 * tests bound each answer generously so they cannot flake on a loaded machine.
 */
@DisplayName("Admission while the database hangs: nobody waits for slots held by hung work")
class StalledDatabaseAdmissionTest {
  /** Far above the 100 ms contract, far below the waits these tests rule out. */
  private static final Duration FAST = Duration.ofSeconds(1);
  private static final int READ_SLOTS = 2;

  @Test
  @DisplayName("a stalled database with every read slot held by a hung push: once the breaker opens, queued and new "
      + "pushes and pulls get 503 unavailable fast; after the database answers again everything recovers")
  void queuedAndNewRequestsAreRefusedOnceTheBreakerOpens() throws Exception {
    PgUrl database = TestDatabase.freshDatabase("stall_admission");
    try (StallingProxy proxy = StallingProxy.inFrontOf(database);
        GatewayHarness gateway = GatewayHarness.start(proxy.url(database), Map.of(
            Setting.READ_CONCURRENCY, READ_SLOTS,
            // Long enough that nothing is answered by a timeout while the test looks.
            Setting.BREAKER_TIMEOUT_MS, 15_000, Setting.ADMISSION_MAX_WAIT_MS, 10_000,
            // The heartbeat opens the breaker about 3 s into the stall: time to queue requests first.
            Setting.BREAKER_HEARTBEAT_MS, 200, Setting.PG_CONNECT_TIMEOUT_MS, 3_000,
            Setting.BREAKER_RESET_MS, 3_000))) {
      try {
        stallWithEveryReadSlotHeld(gateway, proxy);
      } finally {
        proxy.resume(); // also when an assertion failed: the gateway cannot close on a stalled database
      }
    }
  }

  private static void stallWithEveryReadSlotHeld(GatewayHarness gateway, StallingProxy proxy) throws Exception {
    DatabaseOutageTest.awaitReady(gateway);
    // Two organizations: one organization may hold only half of the read slots.
    Client first = new Client(gateway);
    Client second = new Client(gateway);
    gateway.pushOk(first.token, first.push("first-before", 1));
    gateway.pushOk(second.token, second.push("second-before", 1));

    proxy.stall();
    List<Future<HttpResponse<Buffer>>> hung = List.of(
        gateway.pushAsync(first.token, first.push("first-hung", 2)),
        gateway.pushAsync(second.token, second.push("second-hung", 2)));
    awaitSeries(gateway, "sync_admission_running{operation=\"read\"} " + (double) READ_SLOTS);
    JsonObject refused = first.push("first-refused", 3);
    List<TimedAnswer> queued = List.of(
        TimedAnswer.of(gateway.pushAsync(first.token, refused)),
        TimedAnswer.of(gateway.pushAsync(second.token, second.push("second-refused", 3))),
        TimedAnswer.of(first.pullAsync()),
        TimedAnswer.of(second.pullAsync()));
    awaitSeries(gateway, "sync_admission_waiting{operation=\"read\"} " + (double) queued.size());

    long openedAt = awaitBreakerOpen(gateway);
    for (TimedAnswer answer : queued) {
      DatabaseOutageTest.assertUnavailable(answer.response());
      assertThat(Duration.ofNanos(answer.answeredAt() - openedAt)).as("answered after the breaker opened")
          .isLessThanOrEqualTo(FAST);
    }
    DatabaseOutageTest.assertUnavailableWithin(FAST, () -> gateway.push(first.token, refused));
    DatabaseOutageTest.assertUnavailableWithin(FAST, () -> first.pullAsync().await());
    DatabaseOutageTest.assertUnavailableWithin(FAST, () -> second.pullAsync().await());

    proxy.resume();

    DatabaseOutageTest.awaitReady(gateway);
    for (Future<HttpResponse<Buffer>> push : hung) {
      push.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    gateway.pushOk(first.token, refused);
    assertThat(first.taskIds()).contains("first-before", "first-refused");
  }

  @Test
  @DisplayName("a statement the database never finishes is cancelled by the statement timeout: the push gets 503 "
      + "unavailable long before the breaker's call timeout, and its slot is free for the next push")
  void hungStatementsAreCancelled() throws Exception {
    PgUrl database = TestDatabase.freshDatabase("statement_timeout");
    try (GatewayHarness gateway = GatewayHarness.start(database, Map.of(
            Setting.PUSH_CONCURRENCY, 1, Setting.PG_STATEMENT_TIMEOUT_MS, 1_000,
            Setting.BREAKER_TIMEOUT_MS, 60_000, Setting.BUS_TIMEOUT_MS, 60_000));
        Connection blocker = DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password())) {
      Client client = new Client(gateway);
      gateway.pushOk(client.token, client.push("before", 1));

      // Writes to tasks wait for this lock, which is never released while the push runs.
      blocker.setAutoCommit(false);
      try (Statement lock = blocker.createStatement()) {
        lock.execute("LOCK TABLE tasks IN SHARE MODE");
      }
      JsonObject blocked = client.push("blocked", 2);
      DatabaseOutageTest.assertUnavailableWithin(Duration.ofSeconds(10), () -> gateway.push(client.token, blocked));
      blocker.rollback();

      gateway.pushOk(client.token, blocked);
      assertThat(client.taskIds()).containsExactlyInAnyOrder("before", "blocked");
    }
  }

  /** An answer and when it arrived (System.nanoTime). */
  private record TimedAnswer(Future<Long> arrival, Future<HttpResponse<Buffer>> answer) {
    static TimedAnswer of(Future<HttpResponse<Buffer>> answer) {
      return new TimedAnswer(answer.map(response -> System.nanoTime()), answer);
    }

    HttpResponse<Buffer> response() throws Exception {
      return answer.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    long answeredAt() throws Exception {
      return arrival.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  /** One user and device of a fresh organization. */
  private static final class Client {
    final GatewayHarness gateway;
    final String device = uniqueId("dev");
    final String token;

    Client(GatewayHarness gateway) {
      this.gateway = gateway;
      this.token = gateway.token("alice", uniqueId("org"));
    }

    JsonObject push(String taskId, long counter) {
      return batch(device, "task", task(taskId, clock(device, counter), "Task " + taskId)).put("batchId", taskId);
    }

    Future<HttpResponse<Buffer>> pullAsync() {
      return gateway.client().get("/api/sync/pull?since=0&deviceId=" + device)
          .putHeader("Authorization", "Bearer " + token).send();
    }

    List<String> taskIds() {
      return gateway.pullAll(token, null, 100).getJsonArray("tasks").stream()
          .map(item -> ((JsonObject) item).getString("id")).toList();
    }
  }

  /** Polls /metrics (which never touches the database) until it prints the line. */
  private static void awaitSeries(GatewayHarness gateway, String line) throws InterruptedException {
    for (int attempt = 0; attempt < 500; attempt++) {
      if (gateway.get(null, "/metrics").bodyAsString().lines().anyMatch(line::equals)) {
        return;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("/metrics never printed " + line);
  }

  /** When the breaker was seen OPEN (System.nanoTime), watching closely. */
  private static long awaitBreakerOpen(GatewayHarness gateway) throws InterruptedException {
    awaitSeries(gateway, "sync_circuit_breaker_state{name=\"database\"} 2.0");
    return System.nanoTime();
  }
}
