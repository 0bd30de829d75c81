package io.syncgateway.cluster;

import static io.syncgateway.testsupport.Changes.batch;
import static io.syncgateway.testsupport.Changes.clock;
import static io.syncgateway.testsupport.Changes.task;
import static io.syncgateway.testsupport.Changes.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;

import io.syncgateway.persistence.db.PgUrl;
import io.syncgateway.testsupport.ChildGateway;
import io.syncgateway.testsupport.GatewayHarness;
import io.syncgateway.testsupport.SseClient;
import io.syncgateway.testsupport.TestDatabase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Three JVMs on loopback and one database: A (http,decode) and B (conflict,persistence) form a
 * clustered bus; C runs every verticle on its own, the one-process topology beside them. A serves
 * pushes and pulls only through B; while B is gone, A says so at once (503 unavailable, readiness
 * DOWN) and recovers when B is back, losing nothing it acknowledged.
 */
@DisplayName("Clustered bus with roles: an edge node (http,decode) and a database node (conflict,persistence)")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusteredRolesTest {
  /** Far above the contract's 100 ms, far below the event-bus timeout a hung request would reach. */
  private static final long FAST_MS = 1000;

  private static final Duration READY_WITHIN = Duration.ofSeconds(30);

  private static PgUrl database;
  private static Map<String, String> edgeEnv;
  private static Map<String, String> databaseSideEnv;
  private static ChildGateway nodeA;
  private static ChildGateway nodeB;
  private static ChildGateway nodeC;
  private static String org;
  private static String token;

  @BeforeAll
  static void startNodes() throws Exception {
    database = TestDatabase.freshDatabase("cluster_roles");
    int hazelcastA = GatewayHarness.freePort();
    int hazelcastB = GatewayHarness.freePort();
    String members = "127.0.0.1:" + hazelcastA + ",127.0.0.1:" + hazelcastB;
    String cluster = uniqueId("test-cluster");
    edgeEnv = clustered(cluster, "http,decode", hazelcastA, members);
    databaseSideEnv = clustered(cluster, "conflict,persistence", hazelcastB, members);
    // B first: it migrates the database, so C does not race it; A meanwhile (it needs no database).
    CompletableFuture<ChildGateway> a = CompletableFuture.supplyAsync(() -> ChildGateway.start("node-A", edgeEnv));
    nodeB = ChildGateway.start("node-B", databaseSideEnv);
    nodeA = a.get();
    nodeC = ChildGateway.start("node-C", Map.of("SYNC_PG_URL", database.connectionString()));
    awaitReadiness(nodeA, status -> status == 200);
    org = uniqueId("org");
    token = nodeA.client().token("alice", org);
  }

  private static Map<String, String> clustered(String cluster, String roles, int hazelcastPort, String members) {
    Map<String, String> env = new HashMap<>();
    env.put("SYNC_PG_URL", database.connectionString());
    env.put("SYNC_ROLES", roles);
    env.put("SYNC_CLUSTER_ENABLED", "true");
    env.put("SYNC_CLUSTER_NAME", cluster);
    env.put("SYNC_CLUSTER_PORT", String.valueOf(hazelcastPort));
    env.put("SYNC_CLUSTER_MEMBERS", members);
    env.put("SYNC_CLUSTER_MEMBER_TIMEOUT_SECONDS", "3");
    // A push whose commit stage vanished mid-flight gets its "outcome unknown" 503 within this.
    env.put("SYNC_BUS_TIMEOUT_MS", "3000");
    env.put("SYNC_ADMISSION_MAX_WAIT_MS", "1000");
    return env;
  }

  @AfterAll
  static void stopNodes() {
    for (ChildGateway node : new ChildGateway[] {nodeA, nodeB, nodeC}) {
      if (node != null) {
        node.close();
      }
    }
  }

  @Test
  @Order(1)
  @DisplayName("pushes and pulls through the edge node are decided and committed by the database node")
  void pushesAndPullsThroughTheEdgeNode() {
    JsonObject response = nodeA.client().pushOk(token,
        batch("phone", "task", task("t-edge", clock("phone", 1), "through A")));
    assertThat(response.getInteger("processed")).isEqualTo(1);

    assertThat(titles(nodeA.client().pullAll(token, "laptop", 100))).containsEntry("t-edge", "through A");
    assertThat(titles(nodeC.client().pullAll(token, "laptop", 100))).as("the same database, read by C")
        .containsEntry("t-edge", "through A");

    nodeC.client().pushOk(token, batch("tablet", "task", task("t-c", clock("tablet", 1), "through C")));
    assertThat(titles(nodeA.client().pullAll(token, "laptop", 100))).containsEntry("t-c", "through C");
  }

  @Test
  @Order(2)
  @DisplayName("a commit on the database node pokes a live stream on the edge node over the clustered bus")
  void liveUpdatesCrossTheCluster() {
    try (SseClient stream = SseClient.open(nodeA.port(), "/api/sync/events?deviceId=laptop", token)) {
      assertThat(stream.status()).isEqualTo(200);
      nodeA.client().pushOk(token, batch("phone", "task", task(uniqueId("t"), clock("phone", 1), "live")));
      SseClient.Event event = stream.nextEvent(Duration.ofSeconds(2));
      assertThat(event).as("event on A's stream").isNotNull();
      assertThat(event.name()).isEqualTo("changes");
    }
  }

  @Test
  @Order(3)
  @DisplayName("without the database node, the edge node answers 503 unavailable at once, is not ready, "
      + "recovers when it returns, and loses nothing it acknowledged")
  void losingTheDatabaseNode() throws Exception {
    Map<String, JsonObject> acknowledged = new LinkedHashMap<>();
    List<JsonObject> unanswered = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      pushRecording(acknowledged, unanswered, i);
    }

    nodeB.jvm().kill();
    awaitReadiness(nodeA, status -> status == 503);
    for (int i = 5; i < 10; i++) {
      long started = System.nanoTime();
      HttpResponse<Buffer> refused = pushRecording(acknowledged, unanswered, i);
      long elapsedMs = (System.nanoTime() - started) / 1_000_000;
      assertThat(refused.statusCode()).as(refused.bodyAsString()).isEqualTo(503);
      assertThat(refused.bodyAsJsonObject().getString("code")).isEqualTo("unavailable");
      assertThat(refused.getHeader("Retry-After")).isNotNull();
      // The contract says 100 ms; bounded generously (like DatabaseOutageTest) so a loaded machine cannot
      // flake it, and still far below the 20 s a request waiting for the lost node would take.
      assertThat(elapsedMs).as("answered in %d ms", elapsedMs).isLessThan(FAST_MS);
    }
    HttpResponse<Buffer> pull = nodeA.client().get(token, "/api/sync/pull?deviceId=laptop");
    assertThat(pull.statusCode()).isEqualTo(503);
    assertThat(nodeC.client().getOk(token, "/api/sync/pull?deviceId=laptop&limit=1")).as("C, on its own, still serves")
        .isNotNull();

    nodeB.close();
    nodeB = ChildGateway.start("node-B-again", databaseSideEnv);
    awaitReadiness(nodeA, status -> status == 200);
    for (JsonObject retry : unanswered) { // same batchId: applied once, whatever happened before
      acknowledged.put(retry.getString("batchId"), retry);
      assertThat(nodeA.client().push(token, retry).statusCode()).isEqualTo(200);
    }

    Map<String, String> pulled = titles(nodeA.client().pullAll(token, "laptop", 100));
    for (JsonObject push : acknowledged.values()) {
      JsonObject item = push.getJsonObject("changes").getJsonArray("task").getJsonObject(0);
      assertThat(pulled).as("acknowledged %s", item.getString("id"))
          .containsEntry(item.getString("id"), item.getString("title"));
    }
  }

  /** Pushes one task with a batchId; remembers it as acknowledged (200) or to retry (anything else). */
  private static HttpResponse<Buffer> pushRecording(Map<String, JsonObject> acknowledged, List<JsonObject> unanswered,
      int i) {
    JsonObject body = batch("phone", "task", task("t-" + i + "-" + uniqueId("x"), clock("phone", 1), "task " + i))
        .put("batchId", uniqueId("batch"));
    HttpResponse<Buffer> response = nodeA.client().push(token, body);
    if (response.statusCode() == 200) {
      acknowledged.put(body.getString("batchId"), body);
    } else {
      unanswered.add(body);
    }
    return response;
  }

  private static void awaitReadiness(ChildGateway node, IntPredicate status) {
    long deadline = System.nanoTime() + READY_WITHIN.toNanos();
    int last = -1;
    while (System.nanoTime() < deadline) {
      last = node.client().get(null, "/health/ready").statusCode();
      if (status.test(last)) {
        return;
      }
      sleep(100);
    }
    throw new AssertionError("readiness of " + node.port() + " stayed " + last);
  }

  private static Map<String, String> titles(JsonObject pulled) {
    Map<String, String> titles = new HashMap<>();
    JsonArray tasks = pulled.getJsonArray("tasks");
    for (int i = 0; i < tasks.size(); i++) {
      titles.put(tasks.getJsonObject(i).getString("id"), tasks.getJsonObject(i).getString("title"));
    }
    return titles;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
