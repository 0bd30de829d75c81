package io.syncgateway.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.syncgateway.testsupport.Eventually;
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

  /** What one run of the client printed, and its exit code. */
  private record Outcome(int exit, String out, String err) {}

  private static Outcome cli(List<String> args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = ClientCli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), StopSignal.manual());
    return new Outcome(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private String url() {
    return "http://127.0.0.1:" + gateway.gateway().httpPort();
  }

  private Outcome attempt(String store, String token, String... command) {
    List<String> args = new ArrayList<>(List.of("--url", url(), "--token", token, "--store",
        dir.resolve(store).toString()));
    args.addAll(List.of(command));
    return cli(args);
  }

  /** Runs a command that must succeed; returns what it printed. */
  private String run(String store, String token, String... command) {
    Outcome outcome = attempt(store, token, command);
    assertThat(outcome.exit()).as(outcome.out() + outcome.err()).isZero();
    return outcome.out();
  }

  private static String createdId(String output) {
    Matcher id = Pattern.compile("created (?:task|comment) (\\S+)").matcher(output);
    assertThat(id.find()).as(output).isTrue();
    return id.group(1);
  }

  @Test
  @DisplayName("a task added on one device shows on the other; concurrent edits become a conflict that merge settles")
  void twoDevices() {
    String org = Changes.uniqueId("org");
    String alice = gateway.token("alice", org);
    String bob = gateway.token("bob", org);
    String created = run("laptop.db", alice, "add-task", "Buy", "milk");
    String taskId = createdId(created);
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

  @Test
  @DisplayName("options are accepted after the command too, as --name value or --name=value")
  void optionsAfterTheCommand() {
    String token = gateway.token("alice", Changes.uniqueId("org"));
    Outcome outcome = cli(List.of("add-task", "Buy", "milk", "--url", url(), "--token=" + token,
        "--store", dir.resolve("late-options.db").toString(), "--offline"));

    assertThat(outcome.exit()).as(outcome.err()).isZero();
    assertThat(outcome.out()).contains("created task").doesNotContain("synced");
    assertThat(run("late-options.db", token, "list")).contains("Buy milk").contains("1 pending");
  }

  @Test
  @DisplayName("--version prints the client's version and exits 0; an unknown option exits 2 with the usage")
  void versionAndUsage() {
    Outcome version = cli(List.of("--version"));
    assertThat(version.exit()).isZero();
    assertThat(version.out()).matches("sync client \\S+\\R");

    Outcome unknown = cli(List.of("--url", url(), "--token", "t", "--colour", "list"));
    assertThat(unknown.exit()).isEqualTo(2);
    assertThat(unknown.err()).contains("unknown option --colour").contains("usage:");
  }

  @Test
  @DisplayName("a token the gateway refuses (401) exits non-zero, saying so")
  void unauthorizedExitsNonZero() {
    Outcome outcome = attempt("refused-token.db", "not-a-token", "sync");

    assertThat(outcome.exit()).isEqualTo(1);
    assertThat(outcome.out()).contains("sync failed").contains("401");
  }

  @Test
  @DisplayName("a gateway that cannot be reached exits non-zero; the local change stays queued")
  void connectionRefusedExitsNonZero() {
    Outcome outcome = cli(List.of("--url", "http://127.0.0.1:" + GatewayHarness.freePort(), "--token", "t",
        "--store", dir.resolve("unreachable.db").toString(), "add-task", "Buy milk"));

    assertThat(outcome.exit()).isEqualTo(1);
    assertThat(outcome.out()).contains("created task").contains("sync failed").contains("changes stay queued");
  }

  @Test
  @DisplayName("an id that matches nothing exits non-zero with the reason")
  void unknownItemExitsNonZero() {
    Outcome outcome = attempt("unknown.db", gateway.token("alice", Changes.uniqueId("org")), "--offline",
        "edit", "no-such-id", "title=x");

    assertThat(outcome.exit()).isEqualTo(1);
    assertThat(outcome.err()).contains("nothing matches no-such-id");
  }

  @Test
  @DisplayName("the sync summary lists refused changes (entity, id, code, message); edit then retry sends the fix")
  void refusedChangeEditedAndRetried() {
    String token = gateway.token("alice", Changes.uniqueId("org"));
    Outcome refused = attempt("refusals.db", token, "add-task", "x".repeat(501));
    String taskId = createdId(refused.out());

    assertThat(refused.exit()).isEqualTo(1);
    assertThat(refused.out()).contains("refused 1").contains("refused task " + taskId + ": validation: ");
    assertThat(run("refusals.db", token, "failed")).contains("task " + taskId + "  validation: ")
        .containsPattern("  \\{\"device-[^\"]+\":1}").doesNotContain("VectorClock");

    assertThat(run("refusals.db", token, "edit", taskId, "title=Short")).contains("pushed 0");
    assertThat(run("refusals.db", token, "retry", taskId.substring(0, 8))).contains("synced: pushed 1")
        .contains("refused 0");
    assertThat(run("refusals.db", token, "list")).contains("Short").contains("0 pending, 0 failed");
  }

  @Test
  @DisplayName("discard reverts a refused change to the server's version, or removes what the server never had")
  void refusedChangeDiscarded() {
    String org = Changes.uniqueId("org");
    String alice = gateway.token("alice", org);
    String bob = gateway.token("bob", org);
    String taskId = createdId(run("author.db", alice, "add-task", "Plan trip"));
    String commentId = createdId(run("author.db", alice, "comment", taskId, "book flights"));
    run("other.db", bob, "sync");
    assertThat(attempt("other.db", bob, "edit", commentId, "content=book trains").exit()).isEqualTo(1);
    String neverStored = createdId(attempt("other.db", bob, "add-task", "y".repeat(501)).out());

    assertThat(run("other.db", bob, "discard", commentId)).contains("back to the server's version");
    assertThat(run("other.db", bob, "discard", neverStored)).contains("removed (the server has none)");
    assertThat(run("other.db", bob, "list")).contains("book flights").doesNotContain(neverStored)
        .contains("0 pending, 0 failed");
    assertThat(attempt("other.db", bob, "discard", commentId).exit()).isEqualTo(1);
  }

  @Test
  @DisplayName("clocks are printed as JSON: show, conflicts and failed never print VectorClock{…}")
  void clocksAsJson() {
    String org = Changes.uniqueId("org");
    String alice = gateway.token("alice", org);
    String taskId = createdId(run("clock-a.db", alice, "add-task", "Buy milk"));
    run("clock-b.db", alice, "sync");
    run("clock-a.db", alice, "edit", taskId, "status=done");
    run("clock-b.db", alice, "--offline", "edit", taskId, "title=Buy oat milk");
    run("clock-b.db", alice, "sync");

    String shown = run("clock-a.db", alice, "show", taskId);
    assertThat(new JsonObject(shown).getJsonObject("vectorClock")).isNotEmpty();
    String conflicts = run("clock-b.db", alice, "conflicts");
    assertThat(conflicts).containsPattern("local : .*  \\{\"device-[^\"]+\":\\d+(,\"device-[^\"]+\":\\d+)*}")
        .doesNotContain("VectorClock").doesNotContain("=");
  }
}
