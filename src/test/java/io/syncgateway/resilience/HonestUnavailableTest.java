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
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * PROTOCOL §3 v1.1: a 503 may say "nothing was applied" only when that is certain (COMMIT was never
 * sent, and the transaction can no longer commit); when the commit may have been sent, it says the
 * outcome is unknown, and a retry with the same batchId is safe.
 */
@DisplayName("Honest 503s: nothing applied only when the commit was never sent; otherwise the outcome is unknown")
class HonestUnavailableTest {
  private static final long CALL_TIMEOUT_MS = 1_000;

  @Test
  @DisplayName("a commit held up before COMMIT: 503 'nothing was applied', and the push never commits later")
  void heldUpBeforeCommitNeverCommits() throws Exception {
    PgUrl database = TestDatabase.freshDatabase("honest_before_commit");
    try (GatewayHarness gateway = GatewayHarness.start(database, Map.of(Setting.BREAKER_TIMEOUT_MS, CALL_TIMEOUT_MS,
            Setting.BREAKER_RESET_MS, 300));
        Connection blocker = DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password())) {
      String token = gateway.token("alice", uniqueId("org"));
      String device = uniqueId("dev");
      blocker.setAutoCommit(false);
      try (Statement lock = blocker.createStatement()) {
        lock.execute("LOCK TABLE tasks IN SHARE MODE"); // the push's writes wait; its reads go on
      }

      HttpResponse<Buffer> response = gateway.push(token,
          batch(device, "task", task("t1", clock(device, 1), "Held up")).put("batchId", "b-1"));
      blocker.commit();

      assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(503);
      assertThat(response.bodyAsJsonObject().getString("code")).isEqualTo("unavailable");
      assertThat(response.bodyAsJsonObject().getString("detail")).contains("nothing was applied");
      Thread.sleep(500); // time for a transaction that was not really abandoned to commit
      assertThat(pullWhenAnswered(gateway, token).getJsonArray("tasks")).isEmpty();
    }
  }

  @Test
  @DisplayName("no answer after COMMIT was sent: 503 'outcome unknown'; the retry with the same batchId is answered once")
  void silenceAfterCommitIsUnknown() throws Exception {
    PgUrl database = TestDatabase.freshDatabase("honest_after_commit");
    try (StallingProxy proxy = StallingProxy.inFrontOf(database);
        GatewayHarness gateway = GatewayHarness.start(proxy.url(database), Map.of(
            Setting.BREAKER_TIMEOUT_MS, CALL_TIMEOUT_MS, Setting.BREAKER_RESET_MS, 300,
            Setting.BREAKER_HEARTBEAT_MS, 0))) {
      String token = gateway.token("alice", uniqueId("org"));
      String device = uniqueId("dev");
      JsonObject push = batch(device, "task", task("t1", clock(device, 1), "Committed in the dark")).put("batchId", "b-1");
      proxy.stallWhenClientSends("COMMIT");

      HttpResponse<Buffer> response = gateway.push(token, push);
      proxy.resume();

      assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(503);
      assertThat(response.bodyAsJsonObject().getString("detail")).contains("outcome of this push is unknown");
      JsonObject retried = retryUntilAnswered(gateway, token, push);
      assertThat(retried.getInteger("processed")).isEqualTo(1);
      assertThat(gateway.getOk(token, "/api/tasks/t1").getLong("version")).as("applied exactly once").isEqualTo(1);
    }
  }

  @Test
  @DisplayName("every connection busy (a long commit holds the only one): 503 overloaded, and the breaker stays closed")
  void busyPoolIsOverloadNotAnOutage() throws Exception {
    PgUrl database = TestDatabase.freshDatabase("honest_busy_pool");
    try (GatewayHarness gateway = GatewayHarness.start(database, Map.of(Setting.PG_POOL_SIZE, 1,
            Setting.PG_CONNECT_TIMEOUT_MS, 500, Setting.BREAKER_MAX_FAILURES, 1));
        Connection blocker = DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password())) {
      String token = gateway.token("alice", uniqueId("org"));
      String device = uniqueId("dev");
      blocker.setAutoCommit(false);
      try (Statement lock = blocker.createStatement()) {
        lock.execute("LOCK TABLE tasks IN SHARE MODE");
      }
      var holding = gateway.pushAsync(token, batch(device, "task", task("t1", clock(device, 1), "Holds the connection")));
      Thread.sleep(300); // the first push reaches its commit and waits there, on the pool's only connection

      HttpResponse<Buffer> second = gateway.push(token, batch(device, "task", task("t2", clock(device, 2), "Waits")));
      blocker.commit();

      assertThat(second.statusCode()).as(second.bodyAsString()).isEqualTo(503);
      assertThat(second.bodyAsJsonObject().getString("code")).isEqualTo("overloaded");
      assertThat(second.getHeader("Retry-After")).isNotBlank();
      assertThat(holding.toCompletionStage().toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS)
          .statusCode()).isEqualTo(200);
      assertThat(gateway.get(null, "/metrics").bodyAsString())
          .contains("sync_circuit_breaker_state{name=\"database\"} 0.0");
    }
  }

  /** The timed-out call opened the breaker: pull once it lets requests through again. */
  private static JsonObject pullWhenAnswered(GatewayHarness gateway, String token) throws InterruptedException {
    for (int attempt = 0; attempt < 100; attempt++) {
      HttpResponse<Buffer> response = gateway.get(token, "/api/sync/pull?since=0");
      if (response.statusCode() == 200) {
        return response.bodyAsJsonObject();
      }
      Thread.sleep(100);
    }
    throw new AssertionError("pulls were never answered again");
  }

  /** The breaker may still be open for a moment after the stall: retry like a client would. */
  private static JsonObject retryUntilAnswered(GatewayHarness gateway, String token, JsonObject push)
      throws InterruptedException {
    for (int attempt = 0; attempt < 50; attempt++) {
      HttpResponse<Buffer> response = gateway.push(token, push);
      if (response.statusCode() == 200) {
        return response.bodyAsJsonObject();
      }
      Thread.sleep(200);
    }
    throw new AssertionError("the retry was never answered 200");
  }
}
