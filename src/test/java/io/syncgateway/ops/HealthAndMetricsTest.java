package io.syncgateway.ops;

import static io.syncgateway.ops.OverloadSheddingTest.awaitMetric;
import static io.syncgateway.testsupport.Changes.batch;
import static io.syncgateway.testsupport.Changes.clock;
import static io.syncgateway.testsupport.Changes.comment;
import static io.syncgateway.testsupport.Changes.task;
import static io.syncgateway.testsupport.Changes.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;

import io.syncgateway.bus.Addresses;
import io.syncgateway.config.Setting;
import io.syncgateway.persistence.db.PgUrl;
import io.syncgateway.testsupport.GatewayHarness;
import io.syncgateway.testsupport.TestDatabase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Health and metrics: readiness names its checks, /metrics counts what the gateway did")
class HealthAndMetricsTest {
  private static final long DAY_MS = 24L * 3600 * 1000;
  private static PgUrl database;
  private static GatewayHarness gateway;

  @BeforeAll
  static void startGateway() {
    database = TestDatabase.freshDatabase("health_metrics");
    gateway = GatewayHarness.start(database, Map.of(Setting.DEVICE_SCAN_INTERVAL_MS, 100));
  }

  @AfterAll
  static void stopGateway() {
    gateway.close();
  }

  @Test
  @DisplayName("live answers 200 UP")
  void liveIsUp() {
    assertThat(gateway.getOk(null, "/health/live").getString("status")).isEqualTo("UP");
  }

  @Test
  @DisplayName("ready is UP with the database, a closed circuit breaker and a consumer on every event-bus address")
  void readyNamesItsChecks() {
    JsonObject ready = gateway.getOk(null, "/health/ready");

    assertThat(ready.getString("status")).isEqualTo("UP");
    JsonArray checks = ready.getJsonArray("checks");
    assertThat(check(checks, "database").getString("status")).isEqualTo("UP");
    JsonObject breaker = check(checks, "circuit-breaker");
    assertThat(breaker.getString("status")).isEqualTo("UP");
    assertThat(breaker.getJsonObject("data").getString("state")).isEqualTo("CLOSED");
    JsonObject consumers = check(checks, "event-bus");
    assertThat(consumers.getString("status")).isEqualTo("UP");
    for (String address : Addresses.CONSUMED) {
      assertThat(check(consumers.getJsonArray("checks"), address).getString("status")).as(address).isEqualTo("UP");
    }
  }

  @Test
  @DisplayName("a push, a replayed batchId, a conflict, a rejection and a pull are counted by outcome and type")
  void syncWorkIsCounted() {
    Scrape before = Scrape.of(gateway);
    String org = uniqueId("org");
    String token = gateway.token("alice", org);
    String phone = uniqueId("phone");
    String laptop = uniqueId("laptop");
    JsonObject first = batch(phone, "task", task("t1", clock(phone, 1), "Buy milk")).put("batchId", "b-1");

    gateway.pushOk(token, first);
    gateway.pushOk(token, first);
    JsonObject conflicting = gateway.pushOk(token, batch(laptop,
        "task", task("t1", clock(laptop, 1), "Buy oat milk"),
        "comment", comment("c1", "no-such-task", clock(laptop, 1), "orphan")));
    gateway.getOk(token, "/api/sync/pull?deviceId=" + laptop);

    assertThat(conflicting.getJsonArray("conflicts")).hasSize(1);
    Scrape after = Scrape.of(gateway);
    assertIncrease(before, after, "sync_push_batches_total", 2);
    assertIncrease(before, after, "sync_push_replayed_batches_total", 1);
    assertIncrease(before, after, "sync_push_outcomes_total{code=\"\",outcome=\"applied\"}", 1);
    assertIncrease(before, after, "sync_push_outcomes_total{code=\"\",outcome=\"conflict\"}", 1);
    assertIncrease(before, after, "sync_push_outcomes_total{code=\"missing_parent\",outcome=\"rejected\"}", 1);
    assertIncrease(before, after, "sync_conflicts_total{type=\"task\"}", 1);
    assertIncrease(before, after, "sync_entities_pushed_total{type=\"task\"}", 3);
    assertIncrease(before, after, "sync_entities_pushed_total{type=\"comment\"}", 1);
    assertIncrease(before, after, "sync_entities_pulled_total{type=\"task\"}", 1);
    assertThat(after.valueOrZero("sync_push_body_bytes_total{stage=\"received\"}"))
        .isGreaterThan(before.valueOrZero("sync_push_body_bytes_total{stage=\"received\"}"));
    assertThat(after.valueOrZero("sync_push_body_bytes_total{stage=\"decoded\"}"))
        .isGreaterThan(before.valueOrZero("sync_push_body_bytes_total{stage=\"decoded\"}"));
  }

  @Test
  @DisplayName("per-endpoint request counts and latency histograms, breaker, admission, pool, event-bus and JVM series are exported")
  void operationalSeriesAreExported() {
    String org = uniqueId("org");
    String token = gateway.token("alice", org);
    String device = uniqueId("dev");
    gateway.pushOk(token, batch(device, "task", task("t1", clock(device, 1), "x")));
    gateway.getOk(token, "/api/sync/pull?deviceId=" + device);

    Scrape scrape = Scrape.of(gateway);

    String pushRoute = "route=\"/api/sync/push\"";
    assertThat(scrape.value("vertx_http_server_requests_total{code=\"200\",method=\"POST\"," + pushRoute + "}"))
        .isGreaterThanOrEqualTo(1);
    assertThat(scrape.value("vertx_http_server_response_time_seconds_bucket{code=\"200\",method=\"POST\","
        + pushRoute + ",le=\"+Inf\"}")).isGreaterThanOrEqualTo(1);
    assertThat(scrape.value("vertx_http_server_requests_total{code=\"200\",method=\"GET\",route=\"/api/sync/pull\"}"))
        .isGreaterThanOrEqualTo(1);
    assertThat(scrape.value("sync_circuit_breaker_state{name=\"database\"}")).isEqualTo(0);
    assertThat(scrape.value("sync_circuit_breaker_transitions_total{name=\"database\",state=\"OPEN\"}")).isZero();
    assertThat(scrape.value("sync_admission_waiting{operation=\"push\"}")).isEqualTo(0);
    assertThat(scrape.value("sync_admission_concurrency_limit{operation=\"push\"}")).isEqualTo(8);
    assertThat(scrape.value("sync_admission_concurrency_limit{operation=\"read\"}")).isEqualTo(4);
    for (int priority = 1; priority <= 5; priority++) {
      assertThat(scrape.value("sync_admission_shed_total{operation=\"push\",priority=\"" + priority + "\"}")).isZero();
    }
    assertThat(scrape.value("sync_admission_shed_total{operation=\"read\",priority=\"any\"}")).isZero();
    assertThat(scrape.value("vertx_pool_queue_pending{pool_name=\"sync-gateway-pg\",pool_type=\"sql\"}")).isNotNull();
    assertThat(scrape.value("vertx_eventbus_pending{address=\"sync.push.commit\",side=\"local\"}")).isNotNull();
    assertThat(scrape.hasSeriesStartingWith("jvm_memory_used_bytes")).isTrue();
    assertThat(scrape.hasSeriesStartingWith("process_cpu_usage")).isTrue();
    assertThat(scrape.hasSeriesStartingWith("process_files_open_files")).isTrue();
  }

  @Test
  @DisplayName("devices that have not pulled for half the retention period are counted as heading for a resync, alike by every gateway process on the database")
  void overdueDevicesAreCounted() throws Exception {
    String org = uniqueId("org");
    String token = gateway.token("alice", org);
    List<String> devices = List.of(uniqueId("recent"), uniqueId("sixteen-days"), uniqueId("forty-days"));
    devices.forEach(device -> gateway.getOk(token, "/api/sync/pull?deviceId=" + device));
    try (Connection connection = DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
        PreparedStatement recorded = connection.prepareStatement(
            "SELECT count(*) FROM devices WHERE last_pull_at IS NOT NULL AND device_id = ANY(?)");
        PreparedStatement age = connection.prepareStatement(
            "UPDATE devices SET last_pull_at = last_pull_at - ? WHERE device_id = ?")) {
      awaitPullTimesRecorded(recorded, connection, devices);
      for (int i = 1; i < devices.size(); i++) {
        age.setLong(1, (i == 1 ? 16 : 40) * DAY_MS);
        age.setString(2, devices.get(i));
        age.executeUpdate();
      }
    }

    awaitMetric(gateway, "sync_devices_heading_for_resync", count -> count == 2);
    try (GatewayHarness secondProcess = GatewayHarness.start(database, Map.of(Setting.DEVICE_SCAN_INTERVAL_MS, 100))) {
      awaitMetric(secondProcess, "sync_devices_heading_for_resync", count -> count == 2);
    }
  }

  /** Last-pull times are written in the background, within about a second. */
  private static void awaitPullTimesRecorded(PreparedStatement recorded, Connection connection, List<String> devices)
      throws Exception {
    recorded.setArray(1, connection.createArrayOf("text", devices.toArray()));
    for (int attempt = 0; attempt < 100; attempt++) {
      try (var rows = recorded.executeQuery()) {
        rows.next();
        if (rows.getInt(1) == devices.size()) {
          return;
        }
      }
      Thread.sleep(50);
    }
    throw new AssertionError("the pulls' times were never recorded");
  }

  private static void assertIncrease(Scrape before, Scrape after, String series, double increase) {
    assertThat(after.valueOrZero(series) - before.valueOrZero(series)).as(series).isEqualTo(increase);
  }

  /** The readiness check with this id, in a list of checks. */
  static JsonObject check(JsonArray checks, String id) {
    return checks.stream().map(JsonObject.class::cast).filter(check -> id.equals(check.getString("id")))
        .findFirst().orElseThrow(() -> new AssertionError("no check " + id + " in " + checks.encode()));
  }
}
