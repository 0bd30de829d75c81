package io.syncgateway.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The pure parts of the chaos run: schedule, recovery times, loss accounting, aggregation, payload sizes. */
class ChaosPartsTest {

  @Test
  @DisplayName("a 60-second run: 5 s baseline, then one slot per fault, each active for 60 % of it, the stall for 5 s")
  void scheduleOfAFullRun() {
    ChaosSchedule schedule = ChaosSchedule.plan(60, ChaosOptions.FAULTS, 5);

    assertThat(schedule.windows()).extracting(ChaosSchedule.Window::fault).containsExactlyElementsOf(ChaosOptions.FAULTS);
    long slot = (60_000 - 5_000) / 6;
    for (int i = 0; i < 6; i++) {
      ChaosSchedule.Window window = schedule.windows().get(i);
      assertThat(window.startMs()).isEqualTo(5_000 + i * slot);
      assertThat(window.endMs() - window.startMs()).isEqualTo(window.fault().equals("db-stall") ? 5_000 : slot * 6 / 10);
      assertThat(window.endMs()).isLessThanOrEqualTo(5_000 + (i + 1) * slot); // calm before the next fault
    }
    assertThat(schedule.windowAt(0)).isEqualTo(ChaosSchedule.BASELINE);
    assertThat(schedule.windowAt(5_000)).isEqualTo("idle-flood");
    assertThat(schedule.windowAt(5_000 + slot - 1)).isEqualTo(ChaosSchedule.CALM);
    assertThat(schedule.windowAt(5_000 + 4 * slot + 4_999)).isEqualTo("db-stall");
    assertThat(schedule.windowAt(60_000)).isEqualTo(ChaosSchedule.RECOVERY);
    assertThat(schedule.windowNames()).startsWith(ChaosSchedule.BASELINE).endsWith(ChaosSchedule.CALM,
        ChaosSchedule.RECOVERY).hasSize(9);
  }

  @Test
  @DisplayName("a short run shares its time equally; a stall never takes its whole slot")
  void scheduleOfAShortRun() {
    ChaosSchedule schedule = ChaosSchedule.plan(10, List.of("flood-org", "db-stall"), 5);

    assertThat(schedule.windows()).containsExactly(
        new ChaosSchedule.Window("flood-org", 3_333, 3_333 + 1_999),
        new ChaosSchedule.Window("db-stall", 3_333 + 3_333, 3_333 + 3_333 + 2_333));
    assertThat(ChaosSchedule.plan(10, List.of(), 5).windowAt(9_999)).isEqualTo(ChaosSchedule.BASELINE);
  }

  @Test
  @DisplayName("recovery: from the end of the fault to the answer of the first successful push sent after it")
  void recoveryTime() {
    List<ChaosSchedule.Success> successes = List.of(new ChaosSchedule.Success(900, 1_500),
        new ChaosSchedule.Success(1_200, 2_600), new ChaosSchedule.Success(1_300, 2_100));

    assertThat(ChaosSchedule.recoveryMillis(successes, 1_000)).isEqualTo(1_100); // sent at 1 300, answered at 2 100
    assertThat(ChaosSchedule.recoveryMillis(successes, 1_300)).isEqualTo(800);
    assertThat(ChaosSchedule.recoveryMillis(successes, 1_301)).isNull(); // never recovered
  }

  @Test
  @DisplayName("acknowledged writes: conflicts and rejections are not acknowledged; a task missing or older is lost")
  void lossAccounting() {
    ChaosLedger ledger = new ChaosLedger();
    JsonObject answer = new JsonObject().put("processed", 1)
        .put("conflicts", new JsonArray().add(new JsonObject().put("entityId", "t2")))
        .put("superseded", new JsonArray())
        .put("rejected", new JsonArray().add(new JsonObject().put("entityId", "t3").put("code", "validation")));
    ledger.acknowledge("org-a", "dev-1", "b1", 4, List.of("t1", "t2", "t3"), answer);
    ledger.acknowledge("org-a", "dev-1", "b2", 3, List.of("t1", "t4"), new JsonObject()); // t1 at 3 < 4: kept at 4
    ledger.acknowledge("org-b", "dev-2", "b1", 1, List.of("x1"), new JsonObject());

    assertThat(ledger.writes()).isEqualTo(4);
    assertThat(ledger.batches()).isEqualTo(3);
    assertThat(ledger.organizations()).containsExactlyInAnyOrder("org-a", "org-b");
    assertThat(ledger.checks("org-a")).isEqualTo(2);
    Map<String, JsonObject> stored = Map.of(
        "t1", new JsonObject().put("dev-1", 4).put("dev-9", 7),
        "t2", new JsonObject().put("dev-9", 1),
        "t4", new JsonObject().put("dev-1", 2));
    assertThat(ledger.lost("org-a", stored)).containsExactly("t4@dev-1:3");
    assertThat(ledger.lost("org-a", Map.of("t1", new JsonObject().put("dev-1", 5), "t4",
        new JsonObject().put("dev-1", 3)))).isEmpty(); // newer than acknowledged is not a loss
    assertThat(ledger.lost("org-b", Map.of())).containsExactly("x1@dev-2:1");
    assertThat(ledger.lost("org-c", Map.of())).isEmpty();
    assertThatThrownBy(() -> ledger.acknowledge("org-a", "dev-1", null, 5, List.of("t1"), new JsonObject()))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("batchId");
  }

  @Test
  @DisplayName("requests by status and problem code, merged over kinds, with the quiet pushes' percentiles")
  void aggregation() {
    Measurement pushes = new Measurement("db-stall", "quiet-push");
    Measurement pulls = new Measurement("db-stall", "quiet-pull");
    pushes.record(Future.succeededFuture(new Outcome(2, 0, 0)), 10_000_000);
    pushes.record(Future.failedFuture(new RequestFailed("503 unavailable", "")), 300_000_000);
    pulls.record(Future.failedFuture(new RequestFailed("503 unavailable", "")), 5_000_000);
    pulls.record(Future.failedFuture(new java.util.concurrent.TimeoutException()), 15_000_000_000L);

    assertThat(ChaosReport.byStatus(List.of(pushes, pulls))).containsExactly(Map.entry("200", 1L),
        Map.entry("503 unavailable", 2L), Map.entry("io TimeoutException", 1L));
    assertThat(ChaosReport.totals(List.of(pushes, pulls))).isEqualTo(new JsonObject().put("requests", 4L)
        .put("ok", 1L).put("byStatus", new JsonObject().put("200", 1L).put("503 unavailable", 2L)
            .put("io TimeoutException", 1L)));
    JsonObject push = ChaosReport.requests(pushes);
    assertThat(push.getLong("requests")).isEqualTo(2);
    assertThat(push.getDouble("p50Ms")).isBetween(9.9, 10.1);
    assertThat(push.getDouble("p99Ms")).isBetween(299.0, 301.0);
    Measurement merged = ChaosReport.merged("overall", "quiet-push", List.of(pushes, pushes));
    assertThat(merged.requests()).isEqualTo(4);
    assertThat(merged.successes()).isEqualTo(2);
    assertThat(merged.errors()).containsExactly(Map.entry("503 unavailable", 2L));
    assertThat(ChaosReport.requests(new Measurement("calm", "quiet-push")).containsKey("p50Ms")).isFalse();
  }

  @Test
  @DisplayName("health: a 503 from ready is an answer, a probe without an answer is not")
  void healthProbes() {
    JsonObject health = ChaosReport.health(Map.of(
        ChaosReport.LIVE, Map.of("200", 10L),
        ChaosReport.READY, Map.of("200", 4L, "503", 5L, ChaosReport.NO_ANSWER, 1L)));

    assertThat(health.getJsonObject("live")).isEqualTo(new JsonObject().put("probes", 10L)
        .put("byStatus", new JsonObject().put("200", 10L)).put("answeredAll", true));
    assertThat(health.getJsonObject("ready").getLong("probes")).isEqualTo(10);
    assertThat(health.getJsonObject("ready").getBoolean("answeredAll")).isFalse();
    assertThat(ChaosReport.health(Map.of()).getJsonObject("live").getBoolean("answeredAll")).isFalse();
  }

  @Test
  @DisplayName("verdict: passes only without OutOfMemoryError, lost or unverified writes, and with every recovery")
  void verdict() {
    JsonArray recovered = new JsonArray().add(new JsonObject().put("fault", "db-stall").put("recoveryMs", 900));
    JsonArray stuck = recovered.copy().add(new JsonObject().put("fault", "postmaster-kill").putNull("recoveryMs"));
    JsonObject clean = new JsonObject().put("lost", 0L).put("unverified", 0L);

    assertThat(ChaosReport.verdict(0, clean, recovered).getBoolean("passed")).isTrue();
    assertThat(ChaosReport.verdict(1, clean, recovered).getBoolean("passed")).isFalse();
    assertThat(ChaosReport.verdict(0, new JsonObject().put("lost", 2L).put("unverified", 0L), recovered)
        .getBoolean("passed")).isFalse();
    assertThat(ChaosReport.verdict(0, new JsonObject().putNull("lost").put("unverified", 30L), recovered)
        .getBoolean("passed")).isFalse();
    JsonObject never = ChaosReport.verdict(0, clean, stuck);
    assertThat(never.getBoolean("passed")).isFalse();
    assertThat(never.getJsonArray("neverRecovered")).containsExactly("postmaster-kill");
    assertThat(ChaosReport.outOfMemoryErrors("INFO start\njava.lang.OutOfMemoryError: Java heap space\n"
        + "\tat x\nException in thread \"main\" java.lang.OutOfMemoryError: Metaspace\n")).isEqualTo(2);
  }

  @Test
  @DisplayName("options: defaults, a list of faults, unknown names refused")
  void options() {
    ChaosOptions defaults = ChaosOptions.parse(Map.of());
    assertThat(defaults.seconds()).isEqualTo(60);
    assertThat(defaults.faults()).isEqualTo(ChaosOptions.FAULTS);
    assertThat(defaults.gatewayHeap()).isEqualTo("256m");
    assertThat(defaults.bulkParallel()).isEqualTo(16);
    assertThat(ChaosOptions.parse(Map.of("faults", "db-stall,idle-flood", "seconds", "10")).faults())
        .containsExactly("db-stall", "idle-flood");
    assertThatThrownBy(() -> ChaosOptions.parse(Map.of("faults", "meteor"))).hasMessageContaining("meteor");
    assertThatThrownBy(() -> ChaosOptions.parse(Map.of("devices", "3"))).hasMessageContaining("Unknown chaos option");
  }

  @Test
  @DisplayName("a maximum-size body is under 4 MiB gzipped and decodes to about 16 MiB, within the gateway's limits")
  void maximumSizeBody() throws Exception {
    List<String> descriptions = ChaosPayloads.incompressibleDescriptions(42);
    List<String> ids = java.util.stream.IntStream.range(0, ChaosPayloads.MAX_BODY_TASKS)
        .mapToObj(n -> "bulk-dev-t" + n).toList();
    byte[] json = ChaosPayloads.maxSizeBody("bulk-dev", "bulk-dev-max", ids, descriptions).toBuffer().getBytes();
    byte[] gzip = ChaosPayloads.gzipHuffman(json).getBytes();

    assertThat(json.length).isBetween(15 * 1024 * 1024, 16 * 1024 * 1024);
    assertThat(gzip.length).isBetween(3 * 1024 * 1024, 4 * 1024 * 1024);
    try (GZIPInputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(gzip))) {
      assertThat(in.readAllBytes()).isEqualTo(json);
    }
  }
}
