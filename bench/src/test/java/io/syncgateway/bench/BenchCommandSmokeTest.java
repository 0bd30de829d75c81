package io.syncgateway.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.syncgateway.testsupport.TestDatabase;
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
import org.junit.jupiter.api.io.TempDir;

/**
 * A few seconds of the real benchmark: a child gateway JVM on a test database, every workload with
 * tiny parameters, over HTTP, directly and on the floor target. Speed is not judged here, only that
 * the command works.
 */
class BenchCommandSmokeTest {

  @Test
  @DisplayName("bench runs every workload against the gateway, direct and floor and reports them without errors")
  void runsEveryWorkload(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("results.json");
    ByteArrayOutputStream printed = new ByteArrayOutputStream();

    JsonObject results = BenchCommand.run(Map.ofEntries(
        Map.entry("pg-url", TestDatabase.freshDatabase("bench").connectionString()),
        Map.entry("devices", "2"), Map.entry("batches", "2"), Map.entry("batch-size", "5"),
        Map.entry("shared-tasks", "5"), Map.entry("warm-up-batches", "0"), Map.entry("pull-limits", "100"),
        Map.entry("pull-rounds", "1"), Map.entry("mixed-rate", "20"), Map.entry("mixed-seconds", "1"),
        Map.entry("out", out.toString())), new PrintStream(printed, true, StandardCharsets.UTF_8));

    assertThat(new JsonObject(Files.readString(out))).isEqualTo(results);
    List<JsonObject> workloads = results.getJsonArray("workloads").stream().map(JsonObject.class::cast).toList();
    assertThat(workloads).extracting(w -> w.getString("workload") + "/" + w.getString("target")).containsExactly(
        "push-create/gateway", "push-create/direct", "push-create/floor",
        "push-update/gateway", "push-update/direct", "push-update/floor",
        "push-contended/gateway", "push-contended/direct", "push-contended/floor",
        "push-spread orgs=2/gateway", "push-spread orgs=2/direct", "push-spread orgs=2/floor",
        "pull-full limit=100/gateway", "pull-full limit=100/direct", "pull-full limit=100/floor",
        "mixed pull/gateway", "mixed push/gateway");
    assertThat(workloads).allSatisfy(w -> {
      assertThat(w.getLong("errorCount")).as(w.encode()).isZero();
      assertThat(w.getLong("entities")).as(w.encode()).isPositive();
    });
    // 2 devices x 2 batches x 5 tasks created, updated, then read back by a fresh device, on every target
    assertThat(workloads.subList(0, 3)).allSatisfy(w -> assertThat(w.getLong("entities")).isEqualTo(20));
    assertThat(workloads.subList(12, 15)).allSatisfy(w -> assertThat(w.getLong("entities")).isEqualTo(20));
    assertThat(workloads.get(6).getDouble("conflictRate")).isPositive();
    assertThat(workloads.get(0).getDouble("gatewayCpuSeconds")).isPositive();
    assertThat(workloads.get(0).getJsonObject("cpuMsPer100Entities").getDouble("gateway")).isPositive();
    List<JsonObject> ratios = results.getJsonArray("ratios").stream().map(JsonObject.class::cast).toList();
    assertThat(ratios).hasSize(5).allSatisfy(ratio -> {
      assertThat(ratio.getDouble("gatewayOverDirect")).isPositive();
      assertThat(ratio.getDouble("gatewayOverFloor")).isPositive();
    });
    assertThat(results.getJsonArray("organizationSpread")).hasSize(3);
    assertThat(results.getJsonObject("options").getInteger("pullRounds")).isEqualTo(1);
    assertThat(results.getJsonObject("options").getInteger("warmUpBatches")).isZero();
    assertThat(printed.toString(StandardCharsets.UTF_8)).contains("== Gateway / direct database, gateway / floor ==",
        "== CPU ms per 100 entities", "== Devices in one organization");
  }
}
