package io.syncgateway.http;

import static io.syncgateway.http.ConnectionCounts.Verdict.ADDRESS_CAP;
import static io.syncgateway.http.ConnectionCounts.Verdict.ADMITTED;
import static io.syncgateway.http.ConnectionCounts.Verdict.PROCESS_CAP;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Connection counts: caps per process and per client address")
class ConnectionCountsTest {

  @Test
  @DisplayName("the process cap refuses a connection from any address once the process holds its maximum")
  void processCap() {
    ConnectionCounts counts = new ConnectionCounts(3, 2);
    assertThat(counts.admit("10.0.0.1")).isEqualTo(ADMITTED);
    assertThat(counts.admit("10.0.0.2")).isEqualTo(ADMITTED);
    assertThat(counts.admit("10.0.0.3")).isEqualTo(ADMITTED);
    assertThat(counts.admit("10.0.0.4")).isEqualTo(PROCESS_CAP);
    counts.release("10.0.0.1");
    assertThat(counts.admit("10.0.0.4")).isEqualTo(ADMITTED);
    assertThat(counts.open()).isEqualTo(3);
  }

  @Test
  @DisplayName("the per-address cap refuses one address's excess without using up the process's room")
  void addressCap() {
    ConnectionCounts counts = new ConnectionCounts(10, 2);
    assertThat(counts.admit("10.0.0.1")).isEqualTo(ADMITTED);
    assertThat(counts.admit("10.0.0.1")).isEqualTo(ADMITTED);
    assertThat(counts.admit("10.0.0.1")).isEqualTo(ADDRESS_CAP);
    assertThat(counts.open()).isEqualTo(2);
    assertThat(counts.admit("10.0.0.2")).isEqualTo(ADMITTED);
    counts.release("10.0.0.1");
    assertThat(counts.admit("10.0.0.1")).isEqualTo(ADMITTED);
  }

  @Test
  @DisplayName("the process cap never exceeds three quarters of the file-descriptor limit, so connections cannot "
      + "use up the descriptors the database pool and logs need")
  void capWithinDescriptorLimit() {
    var os = (com.sun.management.UnixOperatingSystemMXBean) java.lang.management.ManagementFactory
        .getOperatingSystemMXBean();
    assertThat((long) ConnectionCounts.withinDescriptorLimit(Integer.MAX_VALUE))
        .isLessThanOrEqualTo(os.getMaxFileDescriptorCount() * 3 / 4);
    assertThat(ConnectionCounts.withinDescriptorLimit(100)).isEqualTo(100);
  }
}
