package io.syncgateway.ops;

import static io.syncgateway.testsupport.Changes.batch;
import static io.syncgateway.testsupport.Changes.clock;
import static io.syncgateway.testsupport.Changes.task;
import static io.syncgateway.testsupport.Changes.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;

import io.syncgateway.auth.Role;
import io.syncgateway.auth.TokenService;
import io.syncgateway.bus.Addresses;
import io.syncgateway.config.GatewayConfig;
import io.syncgateway.config.Setting;
import io.syncgateway.decode.DecodeVerticle;
import io.syncgateway.http.HttpVerticle;
import io.syncgateway.http.RequestDrain;
import io.syncgateway.testsupport.GatewayHarness;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The HTTP verticle and the decode worker, with the conflict and persistence verticles missing and
 * a stand-in on the pull address that never answers: every request still gets a clear answer.
 */
@DisplayName("Missing or silent verticles: 503 unavailable at the edge, never a hung request; ready DOWN")
class MissingVerticlesTest {
  private static final long BUS_TIMEOUT_MS = 300;
  private static Vertx vertx;
  private static WebClient client;
  private static String token;

  @BeforeAll
  static void deployOnlyTheEdge() {
    vertx = Vertx.vertx();
    int port = GatewayHarness.freePort();
    JsonObject config = GatewayConfig.load(null, Map.of())
        .with(Setting.HTTP_PORT, port)
        .with(Setting.HTTP_HOST, "127.0.0.1")
        .with(Setting.JWT_SECRET, GatewayHarness.SECRET)
        .with(Setting.BUS_TIMEOUT_MS, BUS_TIMEOUT_MS)
        .with(Setting.METRICS_REGISTRY, uniqueId("missing-verticles"))
        .toJson();
    vertx.deployVerticle(new DecodeVerticle(), new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER)
        .setConfig(config)).await();
    vertx.eventBus().consumer(Addresses.PULL_PAGE, message -> { /* never answers */ }).completion().await();
    vertx.deployVerticle(new HttpVerticle(new RequestDrain()), new DeploymentOptions().setConfig(config)).await();
    client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port));
    token = new TokenService(vertx, GatewayHarness.SECRET).issue("alice", uniqueId("org"), Role.MEMBER, 3600);
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  @Test
  @DisplayName("a push whose validating verticle is not deployed is answered 503 unavailable with Retry-After")
  void missingConsumerIsUnavailable() {
    String device = uniqueId("dev");
    byte[] body = batch(device, "task", task("t1", clock(device, 1), "x")).encode().getBytes(StandardCharsets.UTF_8);

    HttpResponse<Buffer> response = client.post("/api/sync/push").timeout(10_000)
        .putHeader("Authorization", "Bearer " + token).putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer(body)).await();

    assertUnavailable(response, "not running");
  }

  @Test
  @DisplayName("a pull whose verticle never answers is answered 503 unavailable once the event-bus timeout passes")
  void silentConsumerTimesOut() {
    HttpResponse<Buffer> response = client.get("/api/sync/pull").timeout(10_000)
        .putHeader("Authorization", "Bearer " + token).send().await();

    assertUnavailable(response, "did not answer in time");
  }

  @Test
  @DisplayName("ready is 503 DOWN, naming each missing consumer, the database and the breaker")
  void readyIsDown() {
    HttpResponse<Buffer> response = client.get("/health/ready").timeout(10_000).send().await();

    assertThat(response.statusCode()).isEqualTo(503);
    JsonObject ready = response.bodyAsJsonObject();
    assertThat(ready.getString("status")).isEqualTo("DOWN");
    JsonArray checks = ready.getJsonArray("checks");
    assertThat(status(checks, "database")).isEqualTo("DOWN");
    assertThat(status(checks, "circuit-breaker")).isEqualTo("DOWN");
    JsonArray consumers = HealthAndMetricsTest.check(checks, "event-bus").getJsonArray("checks");
    assertThat(status(consumers, Addresses.PUSH_DECODE)).isEqualTo("UP");
    for (String missing : new String[] {Addresses.PUSH_DECIDE, Addresses.PUSH_COMMIT, Addresses.PULL_PAGE, Addresses.TASK_GET, Addresses.TASK_COMMENTS, Addresses.DB_PING}) {
      assertThat(status(consumers, missing)).as(missing).isEqualTo("DOWN");
    }
  }

  private static void assertUnavailable(HttpResponse<Buffer> response, String detail) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(503);
    assertThat(response.getHeader("Retry-After")).isNotBlank();
    assertThat(response.getHeader("Content-Type")).startsWith("application/problem+json");
    assertThat(response.bodyAsJsonObject().getString("code")).isEqualTo("unavailable");
    assertThat(response.bodyAsJsonObject().getString("detail")).contains(detail);
  }

  private static String status(JsonArray checks, String id) {
    return HealthAndMetricsTest.check(checks, id).getString("status");
  }
}
