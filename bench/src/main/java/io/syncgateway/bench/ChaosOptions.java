package io.syncgateway.bench;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The parameters of a chaos run ({@code chaos --name value}); defaults fit a 2-core machine. */
record ChaosOptions(
    int seconds, int rate, int quietOrgs, int quietDevices, int quietTasks,
    int floodPushers, int floodBatch, int idleConnections, int slowClients, int bulkParallel, int stallSeconds,
    List<String> faults, int recoverySeconds, int requestTimeoutMs, String gatewayHeap, List<String> gatewayJvmArgs,
    Path out) {

  /** The faults, in the order a run injects them. */
  static final List<String> FAULTS = List.of("idle-flood", "slow-clients", "max-bodies", "flood-org", "db-stall",
      "postmaster-kill");

  static final Map<String, String> DEFAULTS = defaults();

  private static Map<String, String> defaults() {
    Map<String, String> d = new LinkedHashMap<>();
    d.put("seconds", "60");
    d.put("rate", "40");
    d.put("quiet-orgs", "8");
    d.put("quiet-devices", "3");
    d.put("quiet-tasks", "5");
    d.put("flood-pushers", "32");
    d.put("flood-batch", "100");
    d.put("idle-connections", "2000");
    d.put("slow-clients", "200");
    d.put("bulk-parallel", "16");
    d.put("stall-seconds", "5");
    d.put("faults", "all");
    d.put("recovery-seconds", "60");
    d.put("request-timeout-ms", "15000");
    d.put("gateway-heap", "256m");
    d.put("gateway-jvm-args", "");
    d.put("out", "chaos-results.json");
    return d;
  }

  static ChaosOptions parse(Map<String, String> given) {
    Map<String, String> o = BenchOptions.withDefaults("chaos", given, DEFAULTS);
    return new ChaosOptions(
        BenchOptions.positive(o, "seconds"), BenchOptions.positive(o, "rate"), BenchOptions.positive(o, "quiet-orgs"),
        BenchOptions.positive(o, "quiet-devices"), BenchOptions.positive(o, "quiet-tasks"),
        BenchOptions.positive(o, "flood-pushers"), BenchOptions.positive(o, "flood-batch"),
        BenchOptions.positive(o, "idle-connections"), BenchOptions.positive(o, "slow-clients"),
        BenchOptions.positive(o, "bulk-parallel"), BenchOptions.positive(o, "stall-seconds"),
        BenchOptions.names(o.get("faults"), FAULTS), BenchOptions.positive(o, "recovery-seconds"),
        BenchOptions.positive(o, "request-timeout-ms"), o.get("gateway-heap"),
        BenchOptions.words(o.get("gateway-jvm-args")), Path.of(o.get("out")));
  }
}
