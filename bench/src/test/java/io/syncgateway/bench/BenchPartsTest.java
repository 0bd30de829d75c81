package io.syncgateway.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class BenchPartsTest {

  @Test
  @DisplayName("heap use is the sum of the heap pools in the gateway's Prometheus metrics")
  void heapFromMetrics() {
    String metrics = String.join("\n",
        "# TYPE jvm_memory_used_bytes gauge",
        "jvm_memory_used_bytes{area=\"heap\",id=\"G1 Eden Space\"} 1048576.0",
        "jvm_memory_used_bytes{area=\"nonheap\",id=\"Metaspace\"} 9.0E7",
        "jvm_memory_used_bytes{area=\"heap\",id=\"G1 Old Gen\"} 2097152.0");

    assertThat(ResourceSampler.heapUsedMib(metrics)).isEqualTo(3.0);
  }

  @Test
  @DisplayName("CPU seconds and RSS of a process are read from /proc")
  void ownProcessStats() {
    ProcessStats self = ProcessStats.self();
    double rssBefore = self.rssMib();

    assertThat(self.cpuSeconds()).isPositive();
    // the high-water mark, read after the current RSS, is at least that RSS (RSS may grow in between)
    assertThat(rssBefore).isPositive();
    assertThat(self.rssPeakMib()).isGreaterThanOrEqualTo(rssBefore);
  }

  @Test
  @DisplayName("an unknown option or workload is refused with the list of known ones")
  void unknownOptions() {
    assertThatThrownBy(() -> BenchOptions.parse(Map.of("threads", "4")))
        .hasMessageContaining("--threads").hasMessageContaining("--devices");
    assertThatThrownBy(() -> BenchOptions.parse(Map.of("workloads", "push-delete")))
        .hasMessageContaining("push-delete").hasMessageContaining("push-create");
    assertThat(BenchOptions.parse(Map.of("curves", "all")).curves()).containsExactlyElementsOf(BenchOptions.CURVES);
  }

  @Test
  @DisplayName("targets: gateway, direct and floor by default; any of them with the gateway, never without it")
  void targets() {
    assertThat(BenchOptions.parse(Map.of()).targets()).containsExactly("gateway", "direct", "floor");
    assertThat(BenchOptions.parse(Map.of("targets", "gateway,floor")).targets()).containsExactly("gateway", "floor");
    assertThatThrownBy(() -> BenchOptions.parse(Map.of("targets", "direct,floor")))
        .hasMessageContaining("must include gateway");
    assertThatThrownBy(() -> BenchOptions.parse(Map.of("targets", "gateway,mock")))
        .hasMessageContaining("mock").hasMessageContaining("floor");
  }

  @Test
  @DisplayName("the gateway is compared with each reference that ran the workload, the target on gateway/direct")
  void gatewayRatios() {
    List<Measurement> workloads = List.of(measured("push-create", "gateway", 100),
        measured("push-create", "direct", 200), measured("push-create", "floor", 400), measured("pull-full limit=100", "gateway", 300),
        measured("pull-full limit=100", "floor", 600), measured("mixed pull", "gateway", 50));

    List<JsonObject> ratios = Comparisons.gatewayRatios(workloads).stream().map(JsonObject.class::cast).toList();

    assertThat(ratios).hasSize(2);
    assertThat(ratios.get(0)).isEqualTo(new JsonObject().put("workload", "push-create").put("gateway", 100.0)
        .put("direct", 200.0).put("gatewayOverDirect", 0.5).put("floor", 400.0).put("gatewayOverFloor", 0.25)
        .put("target", 0.6).put("met", false));
    assertThat(ratios.get(1).getDouble("gatewayOverFloor")).isEqualTo(0.5);
    assertThat(ratios.get(1).containsKey("gatewayOverDirect")).isFalse();
    assertThat(ratios.get(1).getValue("met")).isNull();
  }

  @Test
  @DisplayName("devices spread over organizations are set against the same devices in one organization, per target")
  void organizationSpread() {
    List<Measurement> workloads = List.of(measured("push-create", "gateway", 100),
        measured("push-create", "floor", 400), measured("push-spread orgs=16", "gateway", 300),
        measured("push-spread orgs=16", "floor", 400));

    List<JsonObject> rows = Comparisons.organizationSpread(workloads).stream().map(JsonObject.class::cast).toList();

    assertThat(rows).extracting(row -> row.getString("target") + " " + row.getDouble("spreadOverOne"))
        .containsExactly("gateway 3.0", "floor 1.0");
  }

  @Test
  @DisplayName("CPU per 100 entities, for each process whose CPU was measured")
  void cpuPer100Entities() {
    JsonObject resources = new JsonObject().put("gatewayCpuSeconds", 2.0).put("loadGeneratorCpuSeconds", 0.5)
        .put("postgresCpuSeconds", 1.0).put("gatewayHeapPeakMib", 100.0);

    assertThat(ResourceSampler.cpuMillisPer100Entities(resources, 1000)).isEqualTo(new JsonObject()
        .put("gateway", 200.0).put("postgres", 100.0).put("loadGenerator", 50.0));
    assertThat(ResourceSampler.cpuMillisPer100Entities(new JsonObject().put("loadGeneratorCpuSeconds", 1.0), 0))
        .isEmpty();
  }

  @Test
  @DisplayName("a process's children, their command names and parent are read from /proc")
  void childProcesses() throws Exception {
    Process sleeper = new ProcessBuilder("sleep", "30").start();
    try {
      ProcessStats self = ProcessStats.self();
      ProcessStats child = new ProcessStats(sleeper.pid());

      assertThat(self.children()).extracting(ProcessStats::pid).contains(sleeper.pid());
      assertThat(child.command()).isEqualTo("sleep");
      assertThat(child.parentPid()).isEqualTo(self.pid());
      assertThat(self.cpuSecondsWithEndedChildren()).isGreaterThanOrEqualTo(self.cpuSeconds());
    } finally {
      sleeper.destroy();
      sleeper.waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** A finished measurement of {@code entitiesPerSecond} entities in one second. */
  private static Measurement measured(String workload, String target, int entitiesPerSecond) {
    Measurement measurement = new Measurement(workload, target);
    measurement.record(Future.succeededFuture(Outcome.of(entitiesPerSecond)), 1_000_000);
    measurement.finish(1_000_000_000L);
    return measurement;
  }
}
