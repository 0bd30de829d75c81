package io.syncgateway.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * {@code bench}: drives a gateway over real HTTP with many concurrent devices, runs the same work
 * against the reference targets (the persistence layer directly, and the hand-written floor), and
 * reports throughput, latency, CPU of the gateway and of PostgreSQL, memory, the gateway/direct and
 * gateway/floor ratios and, on request, scaling curves. See docs/performance.md.
 */
public final class BenchCommand {
  /** Pull page time may grow at most this much from the smallest to the largest dataset. */
  static final double FLAT_PAGE_TARGET = 1.5;

  private BenchCommand() {}

  /** "--name=default" for every option, for the help text. */
  public static List<String> optionDefaults() {
    return BenchOptions.DEFAULTS.entrySet().stream()
        .map(option -> "--" + option.getKey() + "=" + option.getValue()).toList();
  }

  /** Runs the benchmark, writes the JSON to --out and prints the tables; returns the JSON. */
  public static JsonObject run(Map<String, String> arguments, PrintStream out) {
    BenchOptions options = BenchOptions.parse(arguments);
    JsonObject results;
    try (BenchEnvironment env = new BenchEnvironment(options, out)) {
      results = run(env);
    }
    try {
      Files.writeString(options.out(), results.encodePrettily());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + options.out(), e);
    }
    ReportTable.print(results, out);
    out.println("\nJSON results: " + options.out().toAbsolutePath());
    return results;
  }

  private static JsonObject run(BenchEnvironment env) {
    BenchOptions o = env.options;
    JsonObject results = new JsonObject()
        .put("startedAt", Instant.now().toString())
        .put("machine", machine())
        .put("options", options(o));
    List<Measurement> workloads = new WorkloadSuite(env).run();
    results.put("workloads", new JsonArray(workloads.stream().map(Measurement::toJson).toList()))
        .put("ratios", Comparisons.gatewayRatios(workloads))
        .put("organizationSpread", Comparisons.organizationSpread(workloads))
        .put("resources", env.sampler().overall());
    if (o.runs("live")) {
      results.put("live", new LiveWorkload(env).run());
    }
    ScalingCurves scaling = new ScalingCurves(env);
    JsonObject curves = new JsonObject();
    if (o.draws("batch-size")) {
      curves.put("batch-size", scaling.batchSize());
    }
    if (o.draws("devices")) {
      curves.put("devices", scaling.devices());
    }
    if (o.draws("dataset")) {
      JsonArray dataset = new DatasetCurve(env).run();
      curves.put("dataset", dataset);
      results.put("datasetFlatness", flatness(dataset));
    }
    if (o.draws("instances")) {
      curves.put("instances", scaling.instances());
    }
    return results.put("curves", curves).put("finishedAt", Instant.now().toString());
  }

  /** Largest over smallest median page time, per target and position, across dataset sizes. */
  private static JsonObject flatness(JsonArray dataset) {
    JsonObject flatness = new JsonObject();
    if (dataset.size() < 2) {
      return flatness;
    }
    JsonObject first = dataset.getJsonObject(0);
    JsonObject last = dataset.getJsonObject(dataset.size() - 1);
    for (String target : List.of("gateway", "direct")) {
      for (String where : List.of("start", "middle", "end")) {
        double growth = ReportTable.p50(last.getJsonObject(target), where)
            / Math.max(1e-9, ReportTable.p50(first.getJsonObject(target), where));
        flatness.put(target + "." + where, new JsonObject().put("growth", Measurement.round(growth))
            .put("target", FLAT_PAGE_TARGET).put("met", growth <= FLAT_PAGE_TARGET));
      }
    }
    return flatness;
  }

  private static JsonObject machine() {
    Runtime runtime = Runtime.getRuntime();
    return new JsonObject()
        .put("processors", runtime.availableProcessors())
        .put("javaVersion", System.getProperty("java.version"))
        .put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"))
        .put("loadAverage", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
  }

  /** Every option that shapes the run, so a result file says how it was measured (no database URL or secret). */
  private static JsonObject options(BenchOptions o) {
    return new JsonObject()
        .put("devices", o.devices()).put("batches", o.batches()).put("batchSize", o.batchSize())
        .put("sharedTasks", o.sharedTasks()).put("warmUpBatches", o.warmUpBatches())
        .put("pullLimits", new JsonArray(o.pullLimits())).put("pullRounds", o.pullRounds())
        .put("mixedRate", o.mixedRate()).put("mixedSeconds", o.mixedSeconds()).put("mixedBatch", o.mixedBatch())
        .put("workloads", new JsonArray(o.workloads())).put("targets", new JsonArray(o.targets()))
        .put("curves", new JsonArray(o.curves()))
        .put("curveBatchSizes", new JsonArray(o.curveBatchSizes())).put("curveDevices", new JsonArray(o.curveDevices()))
        .put("curveInstances", new JsonArray(o.curveInstances())).put("datasetSizes", new JsonArray(o.datasetSizes()))
        .put("curveEntities", o.curveEntities()).put("curveBatches", o.curveBatches())
        .put("gatewayHeap", o.gatewayHeap()).put("gatewayJvmArgs", new JsonArray(o.gatewayJvmArgs()))
        .put("poolSize", o.poolSize()).put("url", o.url());
  }
}
