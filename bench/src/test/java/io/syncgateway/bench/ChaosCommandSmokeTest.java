package io.syncgateway.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ten seconds of the real chaos run with the cheap faults only (a few hundred idle connections, a few
 * slow clients, a small flooding organization, a 2-second database stall): a child gateway JVM on its
 * own embedded PostgreSQL. Latency is not judged, only that the command works, that nothing
 * acknowledged is lost and that the gateway recovers from each fault.
 */
class ChaosCommandSmokeTest {

  @Test
  @Timeout(240)
  @DisplayName("chaos injects the cheap faults, audits every acknowledged write and reports every window")
  void shortRunWithCheapFaults(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("chaos.json");
    ByteArrayOutputStream printed = new ByteArrayOutputStream();

    JsonObject results = ChaosCommand.run(Map.ofEntries(
        Map.entry("seconds", "10"), Map.entry("rate", "20"), Map.entry("quiet-orgs", "2"),
        Map.entry("quiet-devices", "2"), Map.entry("quiet-tasks", "3"),
        Map.entry("faults", "idle-flood,slow-clients,flood-org,db-stall"),
        Map.entry("idle-connections", "200"), Map.entry("slow-clients", "10"), Map.entry("flood-pushers", "6"),
        Map.entry("flood-batch", "20"), Map.entry("stall-seconds", "2"), Map.entry("recovery-seconds", "60"),
        Map.entry("out", out.toString())), new PrintStream(printed, true, StandardCharsets.UTF_8));

    assertThat(new JsonObject(Files.readString(out))).isEqualTo(results);
    List<JsonObject> windows = results.getJsonArray("windows").stream().map(JsonObject.class::cast).toList();
    assertThat(windows).extracting(w -> w.getString("window")).containsExactly("baseline", "idle-flood",
        "slow-clients", "flood-org", "db-stall", "calm", "recovery");
    assertThat(results.getJsonObject("overall").getJsonObject("quietPush").getLong("ok")).isPositive();
    JsonObject flood = windows.get(3).getJsonObject("faultRequests");
    assertThat(flood.getLong("requests")).isPositive();

    List<JsonObject> faults = results.getJsonArray("faults").stream().map(JsonObject.class::cast).toList();
    assertThat(faults).allSatisfy(fault -> assertThat(fault.getLong("recoveryMs")).as(fault.encode()).isNotNull());
    assertThat(faults.get(0).getJsonObject("details").getInteger("connectionsOpened")).isEqualTo(200);
    assertThat(faults.get(1).getJsonObject("details").getInteger("connections")).isEqualTo(10);
    JsonObject stall = faults.get(3).getJsonObject("details");
    assertThat(stall.getInteger("processesStopped")).isGreaterThan(1); // the postmaster and its children
    assertThat(stall.getBoolean("resumed")).isTrue();

    JsonObject writes = results.getJsonObject("acknowledgedWrites");
    assertThat(writes.getLong("writes")).isPositive();
    assertThat(writes.getLong("unverified")).isZero();
    assertThat(writes.getLong("lost")).isZero();
    assertThat(results.getLong("outOfMemoryErrors")).isZero();
    assertThat(results.getJsonObject("verdict").getBoolean("passed")).isTrue();
    assertThat(printed.toString(StandardCharsets.UTF_8)).contains("== Chaos run", "== Faults ==", "== Verdict ==",
        "acknowledged writes:");
  }
}
