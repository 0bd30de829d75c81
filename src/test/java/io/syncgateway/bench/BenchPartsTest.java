package io.syncgateway.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
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
}
