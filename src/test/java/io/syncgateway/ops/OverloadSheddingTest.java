package io.syncgateway.ops;

import static io.syncgateway.testsupport.Changes.batch;
import static io.syncgateway.testsupport.Changes.clock;
import static io.syncgateway.testsupport.Changes.task;
import static io.syncgateway.testsupport.Changes.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;

import io.syncgateway.config.Setting;
import io.syncgateway.persistence.db.PgUrl;
import io.syncgateway.testsupport.GatewayHarness;
import io.syncgateway.testsupport.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A flood of low-priority pushes against a gateway whose push slot is held up in the database: the
 * flood beyond the queue depth for priority 4-5 is answered 503 overloaded at once, while urgent
 * pushes of the same organization queue ahead of its waiting flood and complete first when the
 * database frees up (priorities order work within an organization; across organizations see
 * {@link FairAdmissionFloodTest}).
 */
@DisplayName("Overload: low-priority floods are shed with 503 overloaded while priority-1 pushes complete")
class OverloadSheddingTest {
  private static final int FLOOD = 30;
  private static final int URGENT = 5;
  private static final int SHED_LOW_AT = 2;

  @Test
  @DisplayName("a priority-5 flood beyond the queue depth gets 503 overloaded with Retry-After; every priority-1 push of the same organization gets 200, ahead of the waiting flood")
  void urgentPushesFlowWhileTheFloodIsShed() throws Exception {
    PgUrl database = TestDatabase.freshDatabase("overload");
    try (GatewayHarness gateway = GatewayHarness.start(database, Map.of(
        Setting.PUSH_CONCURRENCY, 1,
        Setting.SHED_LOW_PRIORITY_AT, SHED_LOW_AT,
        Setting.SHED_MEDIUM_PRIORITY_AT, 4,
        Setting.PUSH_QUEUE_LIMIT, 16,
        Setting.ADMISSION_MAX_WAIT_MS, 15_000,
        // Generous timeouts: on a loaded machine the held-up push must not time out before the test lets it go.
        Setting.BREAKER_TIMEOUT_MS, 60_000,
        Setting.BUS_TIMEOUT_MS, 60_000));
        Connection blocker = DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password())) {
      String org = uniqueId("org");
      String floodToken = gateway.token("flooder", org);
      String urgentToken = gateway.token("dispatcher", org);
      String seedDevice = uniqueId("dev");
      gateway.pushOk(floodToken, batch(seedDevice, "task", task("seed", clock(seedDevice, 1), "seed")));

      // The database holds back writes to tasks (reads go on): the push that gets the only slot waits there.
      blocker.setAutoCommit(false);
      try (PreparedStatement lock = blocker.prepareStatement("LOCK TABLE tasks IN SHARE MODE")) {
        lock.execute();
      }

      List<Future<HttpResponse<Buffer>>> flood = new ArrayList<>();
      for (int i = 0; i < FLOOD; i++) {
        flood.add(gateway.pushAsync(floodToken, pushWithPriority(5, "flood-" + i)));
      }
      int shedExpected = FLOOD - 1 - SHED_LOW_AT;
      awaitMetric(gateway, "sync_admission_shed_total{operation=\"push\",priority=\"5\"}", v -> v == shedExpected);
      awaitMetric(gateway, "sync_admission_waiting{operation=\"push\"}", v -> v == SHED_LOW_AT);
      assertThat(flood.stream().filter(Future::isComplete).count())
          .as("the shed part of the flood is answered while the database is still held up").isEqualTo(shedExpected);

      List<Future<HttpResponse<Buffer>>> urgent = new ArrayList<>();
      for (int i = 0; i < URGENT; i++) {
        urgent.add(gateway.pushAsync(urgentToken, pushWithPriority(1, "urgent-" + i)));
      }
      awaitMetric(gateway, "sync_admission_waiting{operation=\"push\"}", v -> v == SHED_LOW_AT + URGENT);
      HttpResponse<Buffer> ready = gateway.get(null, "/health/ready");
      assertThat(ready.statusCode()).as("ready while saturated: %s", ready.bodyAsString()).isEqualTo(200);

      blocker.commit();

      for (Future<HttpResponse<Buffer>> push : urgent) {
        HttpResponse<Buffer> response = answer(push);
        assertThat(response.statusCode()).as("urgent push: %s", response.bodyAsString()).isEqualTo(200);
      }
      List<HttpResponse<Buffer>> floodAnswers = new ArrayList<>();
      for (Future<HttpResponse<Buffer>> push : flood) {
        floodAnswers.add(answer(push));
      }
      List<HttpResponse<Buffer>> shed = floodAnswers.stream().filter(r -> r.statusCode() == 503).toList();
      assertThat(shed).hasSize(shedExpected);
      for (HttpResponse<Buffer> response : shed) {
        assertThat(response.bodyAsJsonObject().getString("code")).isEqualTo("overloaded");
        assertThat(response.getHeader("Retry-After")).isNotBlank();
        assertThat(response.getHeader("Content-Type")).startsWith("application/problem+json");
      }
      assertThat(floodAnswers.stream().filter(r -> r.statusCode() == 200)).hasSize(1 + SHED_LOW_AT);

      // Pushes ran one at a time, so the order of their sync log rows is the order they ran in (the log is
      // written in the background: wait for it).
      awaitPushLogs(blocker, 1 + SHED_LOW_AT + URGENT + 1);
      List<String> order = new ArrayList<>();
      try (PreparedStatement logs = blocker.prepareStatement(
          "SELECT user_id FROM sync_logs WHERE sync_type = 'push' ORDER BY id")) {
        try (ResultSet rows = logs.executeQuery()) {
          while (rows.next()) {
            order.add(rows.getString(1).equals("flooder") ? "flood" : "urgent");
          }
        }
      }
      assertThat(order).containsExactly("flood", "flood", "urgent", "urgent", "urgent", "urgent", "urgent",
          "flood", "flood");
    }
  }

  private static void awaitPushLogs(Connection connection, int expected) throws Exception {
    for (int attempt = 0; attempt < 100; attempt++) {
      try (ResultSet rows = connection.createStatement()
          .executeQuery("SELECT count(*) FROM sync_logs WHERE sync_type = 'push'")) {
        rows.next();
        if (rows.getInt(1) >= expected) {
          return;
        }
      }
      connection.commit();
      Thread.sleep(50);
    }
  }

  /** A push creating one task, with the given priority stated on the item. */
  private static JsonObject pushWithPriority(int priority, String title) {
    String device = uniqueId("dev");
    return batch(device, "task", task(uniqueId("t"), clock(device, 1), title).put("priority", priority));
  }

  private static HttpResponse<Buffer> answer(Future<HttpResponse<Buffer>> push) throws Exception {
    return push.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** Polls /metrics until the series has a value the predicate accepts. */
  static void awaitMetric(GatewayHarness gateway, String series, Predicate<Double> accepted) throws InterruptedException {
    Double last = null;
    for (int attempt = 0; attempt < 200; attempt++) {
      last = Scrape.of(gateway).value(series);
      if (last != null && accepted.test(last)) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("metric " + series + " never reached the expected value; last " + last);
  }
}
