package io.syncgateway.resilience;

import static io.syncgateway.testsupport.Changes.batch;
import static io.syncgateway.testsupport.Changes.clock;
import static io.syncgateway.testsupport.Changes.task;
import static io.syncgateway.testsupport.Changes.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;

import io.syncgateway.testsupport.ChildGateway;
import io.syncgateway.testsupport.GatewayHarness;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Supervision of the embedded PostgreSQL: its postmaster killed with SIGKILL under a running gateway")
class EmbeddedDatabaseRestartTest {
  private static final int ACKNOWLEDGED_BEFORE_KILL = 10;
  private static final Duration RESUME_WITHIN = Duration.ofSeconds(30);

  @TempDir
  Path dataDir;

  @Test
  @DisplayName("the gateway restarts it: writes resume within 30 s by themselves and every push acknowledged before"
      + " the kill is still there")
  void writesResumeAndAcknowledgedPushesSurvive() throws Exception {
    try (ChildGateway gateway = ChildGateway.start("gateway", Map.of("SYNC_DATA_DIR", dataDir.toString()))) {
      GatewayHarness client = gateway.client();
      String device = uniqueId("dev");
      String token = client.token("alice", uniqueId("org"));
      List<String> acknowledged = new ArrayList<>();
      for (int k = 0; k < ACKNOWLEDGED_BEFORE_KILL; k++) {
        client.pushOk(token, taskBatch(device, k));
        acknowledged.add(taskId(device, k));
      }

      killPostmaster();
      long killedAt = System.nanoTime();

      JsonObject afterKill = taskBatch(device, ACKNOWLEDGED_BEFORE_KILL);
      HttpResponse<Buffer> resumed = await("a push after the kill answered 200", RESUME_WITHIN,
          () -> pushOrNull(client, token, afterKill), response -> response != null && response.statusCode() == 200);
      acknowledged.add(taskId(device, ACKNOWLEDGED_BEFORE_KILL));
      assertThat(Duration.ofNanos(System.nanoTime() - killedAt)).isLessThan(RESUME_WITHIN);
      assertThat(resumed.bodyAsJsonObject().getInteger("processed")).isEqualTo(1);

      List<String> pulled = client.pullAll(token, null, 100).getJsonArray("tasks").stream()
          .map(item -> ((JsonObject) item).getString("id")).toList();
      assertThat(pulled).containsExactlyInAnyOrderElementsOf(acknowledged);
      assertThat(client.get(null, "/health/live").statusCode()).isEqualTo(200);
      assertThat(client.get(null, "/metrics").bodyAsString())
          .contains("sync_embedded_database_restarts_total{outcome=\"succeeded\"} 1.0")
          .contains("sync_embedded_database_state 0.0");
    }
  }

  @Test
  @DisplayName("when it cannot be restarted (its data directory is gone), /health/live answers 503 once the restart"
      + " attempts have failed, so that the process supervisor restarts the gateway")
  void livenessFailsWhenTheRestartAttemptsFail() throws Exception {
    try (ChildGateway gateway = ChildGateway.start("gateway", Map.of("SYNC_DATA_DIR", dataDir.toString(),
        "SYNC_EMBEDDED_RESTART_ATTEMPTS", "2"))) {
      GatewayHarness client = gateway.client();
      assertThat(client.get(null, "/health/live").statusCode()).isEqualTo(200);

      // The volume holding the data goes away (a detached disk, an unmounted share): PostgreSQL keeps running in
      // the moved directory until it is killed; a restart must not initialize a new, empty cluster in its place.
      Files.move(postgresDir(), dataDir.resolve("postgres-gone"));
      killPostmaster(dataDir.resolve("postgres-gone"));

      HttpResponse<Buffer> live = await("/health/live answered 503", Duration.ofSeconds(30),
          () -> client.get(null, "/health/live"), response -> response.statusCode() == 503);
      assertThat(live.bodyAsJsonObject().getString("status")).isEqualTo("DOWN");
      assertThat(live.bodyAsJsonObject().getJsonArray("failed")).containsExactly("embedded-database");
      assertThat(client.get(null, "/metrics").bodyAsString())
          .contains("sync_embedded_database_restarts_total{outcome=\"failed\"} 2.0")
          .contains("sync_embedded_database_state 2.0");
      assertThat(postgresDir()).as("no new, empty cluster was initialized").doesNotExist();
    }
  }

  private Path postgresDir() {
    return dataDir.resolve("postgres");
  }

  private void killPostmaster() throws Exception {
    killPostmaster(postgresDir());
  }

  /** SIGKILL to the postmaster whose pid is the first line of its postmaster.pid; returns once it is gone. */
  private static void killPostmaster(Path postgresDir) throws Exception {
    long pid = Long.parseLong(Files.readAllLines(postgresDir.resolve("postmaster.pid")).get(0).trim());
    ProcessHandle postmaster = ProcessHandle.of(pid).orElseThrow();
    assertThat(postmaster.destroyForcibly()).isTrue();
    postmaster.onExit().get();
  }

  private static JsonObject taskBatch(String device, int k) {
    return batch(device, "task", task(taskId(device, k), clock(device, k + 1), "Task " + k))
        .put("batchId", device + "-batch-" + k);
  }

  private static String taskId(String device, int k) {
    return device + "-task-" + k;
  }

  /** The push's answer, or null if the connection failed. */
  private static HttpResponse<Buffer> pushOrNull(GatewayHarness client, String token, JsonObject body) {
    try {
      return client.push(token, body);
    } catch (RuntimeException connectionLost) {
      return null;
    }
  }

  /** Polls {@code attempt} every 200 ms until {@code done} holds; fails after {@code timeout}. */
  private static <T> T await(String what, Duration timeout, Supplier<T> attempt, Predicate<T> done)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    T last = null;
    while (System.nanoTime() < deadline) {
      last = attempt.get();
      if (done.test(last)) {
        return last;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("Not within " + timeout + ": " + what + "; last answer: "
        + (last instanceof HttpResponse<?> response ? response.statusCode() + " " + response.bodyAsString() : last));
  }
}
