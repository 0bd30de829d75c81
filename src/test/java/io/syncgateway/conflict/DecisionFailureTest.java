package io.syncgateway.conflict;

import static io.syncgateway.testsupport.Changes.batch;
import static io.syncgateway.testsupport.Changes.clock;
import static io.syncgateway.testsupport.Changes.task;
import static io.syncgateway.testsupport.Changes.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;

import io.syncgateway.auth.Role;
import io.syncgateway.auth.TokenService;
import io.syncgateway.bus.DecidedPush;
import io.syncgateway.bus.PreparedPush;
import io.syncgateway.config.GatewayConfig;
import io.syncgateway.config.Setting;
import io.syncgateway.decode.DecodeVerticle;
import io.syncgateway.entity.StoredState;
import io.syncgateway.http.HttpVerticle;
import io.syncgateway.http.RequestDrain;
import io.syncgateway.persistence.PersistenceVerticle;
import io.syncgateway.persistence.db.Migrations;
import io.syncgateway.persistence.db.PgUrl;
import io.syncgateway.testsupport.GatewayHarness;
import io.syncgateway.testsupport.TestDatabase;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A conflict decision that fails is a fault of that push, not of the database: the push is answered
 * 500, and however many fail, the database circuit breaker stays closed, readiness stays UP, and
 * other pushes and pulls go on.
 */
@DisplayName("Faults stay where they happen: failing conflict decisions never open the database breaker")
class DecisionFailureTest {
  private static final String EXPLODING_DEVICE = "explode-";
  private static Vertx vertx;
  private static WebClient client;
  private static String token;

  /** Conflict detection with a bug that only shows for some devices. */
  public static final class FailingConflictVerticle extends ConflictVerticle {
    @Override
    protected DecidedPush decision(PreparedPush push, StoredState state) {
      if (push.batch().deviceId().startsWith(EXPLODING_DEVICE)) {
        throw new IllegalStateException("a bug in the decision");
      }
      return super.decision(push, state);
    }
  }

  @BeforeAll
  static void deploy() {
    PgUrl database = TestDatabase.freshDatabase("decision_failure");
    Migrations.migrate(database);
    int port = GatewayHarness.freePort();
    JsonObject config = GatewayConfig.load(null, Map.of())
        .with(Setting.PG_URL, database.connectionString())
        .with(Setting.HTTP_PORT, port)
        .with(Setting.HTTP_HOST, "127.0.0.1")
        .with(Setting.JWT_SECRET, GatewayHarness.SECRET)
        .with(Setting.METRICS_REGISTRY, uniqueId("decision-failure"))
        .toJson();
    vertx = Vertx.vertx();
    DeploymentOptions options = new DeploymentOptions().setConfig(config);
    vertx.deployVerticle(new PersistenceVerticle(), options).await();
    vertx.deployVerticle(new FailingConflictVerticle(), options).await();
    vertx.deployVerticle(new DecodeVerticle(), new DeploymentOptions(options).setThreadingModel(ThreadingModel.WORKER))
        .await();
    vertx.deployVerticle(new HttpVerticle(new RequestDrain()), options).await();
    client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port));
    token = new TokenService(vertx, GatewayHarness.SECRET).issue("alice", uniqueId("org"), Role.MEMBER, 3600);
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  private static HttpResponse<Buffer> push(JsonObject body) {
    return client.post("/api/sync/push").putHeader("Authorization", "Bearer " + token)
        .putHeader("Content-Type", "application/json").sendJsonObject(body).await();
  }

  @Test
  @DisplayName("ten failed decisions: each push is 500 internal; the breaker stays CLOSED, ready stays UP, others push and pull")
  void failedDecisionsLeaveTheDatabaseBreakerClosed() {
    for (int i = 0; i < 10; i++) {
      String device = EXPLODING_DEVICE + uniqueId("d");
      HttpResponse<Buffer> failed = push(batch(device, "task", task("t" + i, clock(device, 1), "Boom")));
      assertThat(failed.statusCode()).isEqualTo(500);
      assertThat(failed.bodyAsJsonObject().getString("code")).isEqualTo("internal");
      assertThat(failed.bodyAsString()).doesNotContain("IllegalStateException");
    }

    HttpResponse<Buffer> ready = client.get("/health/ready").send().await();
    assertThat(ready.statusCode()).as(ready.bodyAsString()).isEqualTo(200);
    String device = uniqueId("dev");
    assertThat(push(batch(device, "task", task("fine", clock(device, 1), "Fine"))).statusCode()).isEqualTo(200);
    HttpResponse<Buffer> pull = client.get("/api/sync/pull?since=0").putHeader("Authorization", "Bearer " + token)
        .send().await();
    assertThat(pull.statusCode()).isEqualTo(200);
    assertThat(pull.bodyAsJsonObject().getJsonArray("tasks")).singleElement()
        .satisfies(t -> assertThat(((JsonObject) t).getString("id")).isEqualTo("fine"));
  }
}
