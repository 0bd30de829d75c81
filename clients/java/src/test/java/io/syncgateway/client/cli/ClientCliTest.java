package io.syncgateway.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.syncgateway.client.Eventually;
import io.syncgateway.client.live.SseTestGateway;
import io.syncgateway.testsupport.Changes;
import io.syncgateway.testsupport.GatewayHarness;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("Command-line client: two devices, a change and a conflict")
class ClientCliTest {
  private GatewayHarness gateway;

  @TempDir
  Path dir;

  @BeforeAll
  void start() {
    gateway = GatewayHarness.start("cli");
  }

  @AfterAll
  void stop() {
    gateway.close();
  }

  private String run(String store, String token, String... command) {
    List<String> args = new ArrayList<>(List.of("--url", "http://127.0.0.1:" + gateway.gateway().httpPort(),
        "--token", token, "--store", dir.resolve(store).toString()));
    args.addAll(List.of(command));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    assertThat(ClientCli.run(args, new PrintStream(bytes, true, StandardCharsets.UTF_8))).isZero();
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  @DisplayName("a task added on one device shows on the other; concurrent edits become a conflict that merge settles")
  void twoDevices() {
    String org = Changes.uniqueId("org");
    String alice = gateway.token("alice", org);
    String bob = gateway.token("bob", org);
    String created = run("laptop.db", alice, "add-task", "Buy", "milk");
    Matcher id = Pattern.compile("created task (\\S+)").matcher(created);
    assertThat(id.find()).as(created).isTrue();
    String taskId = id.group(1);
    assertThat(created).contains("synced: pushed 1");

    assertThat(run("phone.db", bob, "sync")).contains("pulled 1");
    assertThat(run("phone.db", bob, "list")).contains(taskId).contains("Buy milk");

    run("laptop.db", alice, "--offline", "edit", taskId.substring(0, 8), "title=Buy oat milk");
    run("phone.db", bob, "edit", taskId.substring(0, 8), "status=done", "position=3");
    assertThat(run("laptop.db", alice, "sync")).contains("new conflicts 1");
    assertThat(run("laptop.db", alice, "conflicts")).contains("Buy oat milk").contains("\"status\":\"done\"");

    assertThat(run("laptop.db", alice, "resolve", taskId, "merge")).contains("Buy oat milk").contains("done");
    run("phone.db", bob, "sync");
    assertThat(run("phone.db", bob, "list")).contains("Buy oat milk {\"status\":\"done\",\"position\":3}")
        .contains("0 pending, 0 failed, 0 conflicts");
  }

  @Test
  @DisplayName("watch prints one line per remote change as the gateway announces it, until stopped")
  void watchPrintsRemoteChanges() {
    try (SseTestGateway events = new SseTestGateway()) {
      StopSignal stop = StopSignal.manual();
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
      CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> ClientCli.run(List.of("--url",
          events.url(), "--token", "token", "--store", dir.resolve("watcher.db").toString(), "watch"), out, stop));
      Eventually.until(() -> bytes.toString(StandardCharsets.UTF_8).contains("live updates on"));

      events.servePulled("tasks", new JsonObject().put("id", "t1").put("title", "Buy milk")
          .put("vectorClock", new JsonObject().put("laptop", 1)).put("version", 1));
      events.changes("task");
      Eventually.until(() -> bytes.toString(StandardCharsets.UTF_8).contains("changed task t1  Buy milk"));
      stop.stop();
      assertThat(exit.join()).isZero();
    }
  }
}
