package io.syncgateway.bench;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * Samples the gateway's heap (its Prometheus /metrics) and RSS (/proc) twice a second, and measures
 * CPU seconds of the gateway, of PostgreSQL and of this load generator per phase.
 */
final class ResourceSampler implements AutoCloseable {
  private static final long PERIOD_MS = 500;

  private final Vertx vertx;
  private final GatewayTarget gateway;
  private final ProcessStats gatewayProcess;
  private final PostgresCpu postgres;
  private final ProcessStats self = ProcessStats.self();
  private final long timer;
  private volatile double heapPeakMib;
  private volatile double rssPeakMib;
  private double overallHeapPeakMib;

  /**
   * @param gatewayProcess null when the gateway is not a child of this benchmark (--url)
   * @param postgres null when the database does not run on this machine
   */
  ResourceSampler(Vertx vertx, GatewayTarget gateway, ProcessStats gatewayProcess, PostgresCpu postgres) {
    this.vertx = vertx;
    this.gateway = gateway;
    this.gatewayProcess = gatewayProcess;
    this.postgres = postgres;
    this.timer = vertx.setPeriodic(PERIOD_MS, id -> sample());
  }

  /** CPU counters at the start of a phase; peaks restart. */
  record Phase(double gatewayCpu, double postgresCpu, double loadCpu) {}

  Phase start() {
    heapPeakMib = 0;
    rssPeakMib = 0;
    sample();
    return new Phase(gatewayProcess == null ? 0 : gatewayProcess.cpuSeconds(),
        postgres == null ? 0 : postgres.cpuSeconds(), self.cpuSeconds());
  }

  JsonObject stop(Phase phase) {
    sample();
    JsonObject resources = new JsonObject()
        .put("loadGeneratorCpuSeconds", Measurement.round(self.cpuSeconds() - phase.loadCpu()))
        .put("gatewayHeapPeakMib", Measurement.round(heapPeakMib));
    if (gatewayProcess != null) {
      resources.put("gatewayCpuSeconds", Measurement.round(gatewayProcess.cpuSeconds() - phase.gatewayCpu()))
          .put("gatewayRssPeakMib", Measurement.round(rssPeakMib));
    }
    if (postgres != null) {
      resources.put("postgresCpuSeconds", Measurement.round(postgres.cpuSeconds() - phase.postgresCpu()));
    }
    return resources;
  }

  /**
   * CPU milliseconds per 100 entities of a phase, per process measured: {@code gateway},
   * {@code postgres}, {@code loadGenerator} (which runs the direct and floor targets itself).
   */
  static JsonObject cpuMillisPer100Entities(JsonObject resources, long entities) {
    JsonObject per100 = new JsonObject();
    if (entities == 0) {
      return per100;
    }
    for (String process : new String[] {"gateway", "postgres", "loadGenerator"}) {
      Double seconds = resources.getDouble(process + "CpuSeconds");
      if (seconds != null) {
        per100.put(process, Measurement.round(seconds * 1000 * 100 / entities));
      }
    }
    return per100;
  }

  /** Whole-run figures: the heap peak sampled and the kernel's RSS high-water mark. */
  JsonObject overall() {
    JsonObject overall = new JsonObject().put("gatewayHeapPeakMib", Measurement.round(overallHeapPeakMib));
    if (gatewayProcess != null) {
      overall.put("gatewayRssHighWaterMib", Measurement.round(gatewayProcess.rssPeakMib()))
          .put("gatewayCpuSeconds", Measurement.round(gatewayProcess.cpuSeconds()));
    }
    if (postgres != null) {
      overall.put("postgresCpuSeconds", Measurement.round(postgres.cpuSeconds()));
    }
    return overall.put("loadGeneratorRssHighWaterMib", Measurement.round(self.rssPeakMib()));
  }

  private void sample() {
    if (gatewayProcess != null) {
      rssPeakMib = Math.max(rssPeakMib, gatewayProcess.rssMib());
    }
    gateway.get("/metrics").onSuccess(response -> {
      double heap = heapUsedMib(response.bodyAsString());
      heapPeakMib = Math.max(heapPeakMib, heap);
      overallHeapPeakMib = Math.max(overallHeapPeakMib, heap);
    });
  }

  /** Sum of jvm_memory_used_bytes over the heap pools. */
  static double heapUsedMib(String prometheus) {
    double bytes = 0;
    for (String line : prometheus.split("\n")) {
      if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
        bytes += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return bytes / (1024 * 1024);
  }

  @Override
  public void close() {
    vertx.cancelTimer(timer);
  }
}
