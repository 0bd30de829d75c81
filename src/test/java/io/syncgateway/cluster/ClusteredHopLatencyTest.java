package io.syncgateway.cluster;

import static io.syncgateway.testsupport.Changes.batch;
import static io.syncgateway.testsupport.Changes.clock;
import static io.syncgateway.testsupport.Changes.task;
import static io.syncgateway.testsupport.Changes.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;

import io.syncgateway.persistence.db.PgUrl;
import io.syncgateway.testsupport.ChildGateway;
import io.syncgateway.testsupport.GatewayHarness;
import io.syncgateway.testsupport.TestDatabase;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * What the clustered hop costs a push: the same sequential pushes (one task each) through one
 * process, and through an edge node (http,decode) whose conflict and persistence stages run in
 * another JVM. A measurement, not a test of speed: it runs only when asked for
 * ({@code -Dmeasure.clusterHop=true}) and prints the numbers docs/performance.md reports.
 */
@DisplayName("Clustered hop: push latency through an edge node versus one process")
@EnabledIfSystemProperty(named = "measure.clusterHop", matches = "true")
class ClusteredHopLatencyTest {
  private static final int WARM_UP = 100;
  private static final int MEASURED = 300;

  @Test
  @DisplayName("measures sequential pushes through one process and through a clustered edge node")
  void clusteredHopCost() throws Exception {
    PgUrl database = TestDatabase.freshDatabase("cluster_hop");
    long[] single;
    try (ChildGateway one = ChildGateway.start("one-process", Map.of("SYNC_PG_URL", database.connectionString()))) {
      single = measure(one);
    }
    int hazelcastA = GatewayHarness.freePort();
    int hazelcastB = GatewayHarness.freePort();
    String members = "127.0.0.1:" + hazelcastA + ",127.0.0.1:" + hazelcastB;
    String cluster = uniqueId("hop");
    long[] clustered;
    try (ChildGateway b = ChildGateway.start("hop-B", env(database, cluster, "conflict,persistence", hazelcastB, members));
        ChildGateway a = ChildGateway.start("hop-A", env(database, cluster, "http,decode", hazelcastA, members))) {
      awaitReady(a);
      clustered = measure(a);
    }
    System.out.printf("[clustered-hop] one process: p50 %.2f ms, p99 %.2f ms; clustered (A http,decode -> B "
            + "conflict,persistence): p50 %.2f ms, p99 %.2f ms; %d sequential one-task pushes each%n",
        percentile(single, 50), percentile(single, 99), percentile(clustered, 50), percentile(clustered, 99), MEASURED);
    assertThat(clustered).as("every push measured").hasSize(MEASURED);
  }

  private static Map<String, String> env(PgUrl database, String cluster, String roles, int port, String members) {
    return Map.of("SYNC_PG_URL", database.connectionString(), "SYNC_ROLES", roles, "SYNC_CLUSTER_ENABLED", "true",
        "SYNC_CLUSTER_NAME", cluster, "SYNC_CLUSTER_PORT", String.valueOf(port), "SYNC_CLUSTER_MEMBERS", members);
  }

  private static long[] measure(ChildGateway node) {
    String token = node.client().token("alice", uniqueId("org"));
    String device = uniqueId("phone");
    long[] nanos = new long[MEASURED];
    for (int i = 0; i < WARM_UP + MEASURED; i++) {
      long started = System.nanoTime();
      node.client().pushOk(token, batch(device, "task", task(uniqueId("t"), clock(device, 1), "task " + i)));
      if (i >= WARM_UP) {
        nanos[i - WARM_UP] = System.nanoTime() - started;
      }
    }
    Arrays.sort(nanos);
    return nanos;
  }

  private static double percentile(long[] sorted, int percent) {
    return sorted[Math.min(sorted.length - 1, sorted.length * percent / 100)] / 1e6;
  }

  private static void awaitReady(ChildGateway node) throws InterruptedException {
    for (int i = 0; i < 300 && node.client().get(null, "/health/ready").statusCode() != 200; i++) {
      Thread.sleep(100);
    }
  }
}
