package io.syncgateway.bridge;

import static io.syncgateway.testsupport.Changes.batch;
import static io.syncgateway.testsupport.Changes.clock;
import static io.syncgateway.testsupport.Changes.task;
import static io.syncgateway.testsupport.Changes.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;

import io.syncgateway.auth.Role;
import io.syncgateway.config.Setting;
import io.syncgateway.testsupport.GatewayHarness;
import io.syncgateway.testsupport.TestDatabase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * examples/python/example.py, a service in another language, against a real gateway: it follows its
 * organization's committed changes and serves the validation hook. Needs python3 on the PATH: without
 * it the test fails (it never skips).
 */
@DisplayName("A Python service on the bridge: change stream out, validation hook in, deadline when it stops answering")
class PythonServiceTest {
  private static final long HOOK_DEADLINE_MS = 300;
  private static final Duration WITHIN = Duration.ofSeconds(5);

  private static GatewayHarness gateway;
  private static int bridgePort;
  private Process python;
  private final BlockingQueue<JsonObject> events = new LinkedBlockingQueue<>();
  private Writer commands;
  private String org;
  private String token;

  @BeforeAll
  static void startGateway() {
    bridgePort = GatewayHarness.freePort();
    gateway = GatewayHarness.start(TestDatabase.freshDatabase("python_service"), Map.of(
        Setting.BRIDGE_ENABLED, true, Setting.BRIDGE_PORT, bridgePort,
        Setting.VALIDATION_HOOK_ENABLED, true, Setting.VALIDATION_HOOK_TIMEOUT_MS, HOOK_DEADLINE_MS));
  }

  @AfterAll
  static void stopGateway() {
    gateway.close();
  }

  @BeforeEach
  void startPythonService() throws IOException {
    org = uniqueId("org");
    token = gateway.token("alice", org);
    python = new ProcessBuilder("python3", "examples/python/example.py", "--port", String.valueOf(bridgePort),
        "--org", org, "--token", gateway.token("validator", org, Role.ADMIN))
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    commands = new OutputStreamWriter(python.getOutputStream(), StandardCharsets.UTF_8);
    Thread reader = new Thread(() -> {
      try (BufferedReader lines = new BufferedReader(new InputStreamReader(python.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
          events.add(new JsonObject(line));
        }
      } catch (IOException | RuntimeException ended) {
        // the process ended
      }
    }, "python-service-output");
    reader.setDaemon(true);
    reader.start();
    awaitEvent("ready");
  }

  @AfterEach
  void stopPythonService() throws Exception {
    python.destroy();
    if (!python.waitFor(5, TimeUnit.SECONDS)) {
      python.destroyForcibly();
    }
  }

  private JsonObject awaitEvent(String name) {
    long deadline = System.nanoTime() + WITHIN.toNanos();
    try {
      while (System.nanoTime() < deadline) {
        JsonObject event = events.poll(100, TimeUnit.MILLISECONDS);
        if (event != null && name.equals(event.getString("event"))) {
          return event;
        }
        if (event != null && "error".equals(event.getString("event"))) {
          throw new AssertionError("the Python service got an error frame: " + event.encode());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    throw new AssertionError("no '" + name + "' event from the Python service (alive: " + python.isAlive() + ")");
  }

  private void command(String line) throws IOException {
    commands.write(line + "\n");
    commands.flush();
    awaitEvent(line.equals("pause") ? "paused" : "resumed");
  }

  private JsonObject pushTitles(String device, String... titles) {
    JsonObject body = batch(device, "task", task(uniqueId("t"), clock(device, 1), titles[0]));
    for (int i = 1; i < titles.length; i++) {
      body.getJsonObject("changes").getJsonArray("task").add(task(uniqueId("t"), clock(device, 1), titles[i]));
    }
    return body;
  }

  @Test
  @DisplayName("items the service rejects come back rejected `validation` with its message; the others commit")
  void serviceRejectsThroughTheHook() {
    JsonObject response = gateway.pushOk(token, pushTitles(uniqueId("phone"), "Buy milk", "A forbidden fruit"));

    assertThat(response.getInteger("processed")).isEqualTo(1);
    JsonArray rejected = response.getJsonArray("rejected");
    assertThat(rejected).hasSize(1);
    assertThat(rejected.getJsonObject(0).getString("code")).isEqualTo("validation");
    assertThat(rejected.getJsonObject(0).getString("message")).contains("forbidden");
    assertThat(awaitEvent("validated").getInteger("rejected")).isEqualTo(1);
  }

  @Test
  @DisplayName("the service receives each committed change of its organization: type, id, operation, position")
  void serviceFollowsTheChangeStream() {
    JsonObject body = pushTitles(uniqueId("phone"), "Water plants");
    String id = body.getJsonObject("changes").getJsonArray("task").getJsonObject(0).getString("id");
    gateway.pushOk(token, body);

    JsonObject change = awaitEvent("change");
    assertThat(change.getString("org")).isEqualTo(org);
    assertThat(change.getString("id")).isEqualTo(id);
    assertThat(change.getString("type")).isEqualTo("task");
    assertThat(change.getString("operation")).isEqualTo("create");
    assertThat(change.getJsonObject("position").getLong("xid")).isPositive();
  }

  @Test
  @DisplayName("when the service stops answering, pushes are accepted after the deadline, and checked again once it answers")
  void deadlineWhenTheServiceStopsAnswering() throws IOException {
    command("pause");
    long started = System.nanoTime();
    JsonObject response = gateway.pushOk(token, pushTitles(uniqueId("phone"), "Another forbidden title"));
    long elapsedMs = (System.nanoTime() - started) / 1_000_000;

    assertThat(response.getInteger("processed")).as("accepted by default").isEqualTo(1);
    assertThat(response.getJsonArray("rejected")).isEmpty();
    assertThat(elapsedMs).as("waited for the deadline, not longer").isBetween(HOOK_DEADLINE_MS - 50, HOOK_DEADLINE_MS + 1500);
    awaitEvent("ignored");

    command("resume");
    assertThat(gateway.pushOk(token, pushTitles(uniqueId("tablet"), "forbidden again")).getJsonArray("rejected")).hasSize(1);
  }
}
