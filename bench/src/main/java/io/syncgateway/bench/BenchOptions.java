package io.syncgateway.bench;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The parameters of a benchmark run, from {@code --name value} options; defaults fit a 2-core machine. */
record BenchOptions(
    int devices, int batches, int batchSize, int sharedTasks, int warmUpBatches,
    List<Integer> pullLimits, int pullRounds, int mixedRate, int mixedSeconds, int mixedBatch,
    List<String> workloads, List<String> targets, List<String> curves,
    List<Integer> curveBatchSizes, List<Integer> curveDevices, List<Integer> curveInstances,
    List<Integer> datasetSizes, int curveEntities, int curveBatches,
    String url, String pgUrl, String jwtSecret, String gatewayHeap, List<String> gatewayJvmArgs, int poolSize,
    int liveStreams, int liveOrgs, int livePushes, Path out) {

  static final List<String> WORKLOADS = List.of("push-create", "push-update", "push-contended", "push-spread",
      "pull-full", "mixed", "live");
  /** The default run: every workload but live (it restarts the gateway and opens a thousand streams). */
  static final List<String> DEFAULT_WORKLOADS = WORKLOADS.subList(0, WORKLOADS.size() - 1);
  /** What the workloads run against: the gateway under test, and the references it is compared with. */
  static final List<String> TARGETS = List.of("gateway", "direct", "floor");
  static final List<String> CURVES = List.of("batch-size", "devices", "instances", "dataset");

  /** Every option with its default, in the order the help text lists them. */
  static final Map<String, String> DEFAULTS = defaults();

  private static Map<String, String> defaults() {
    Map<String, String> d = new LinkedHashMap<>();
    d.put("devices", "16");
    d.put("batches", "20");
    d.put("batch-size", "100");
    d.put("shared-tasks", "200");
    d.put("warm-up-batches", "3");
    d.put("pull-limits", "100,1000");
    d.put("pull-rounds", "3");
    d.put("mixed-rate", "50");
    d.put("mixed-seconds", "20");
    d.put("mixed-batch", "20");
    d.put("workloads", String.join(",", DEFAULT_WORKLOADS));
    d.put("targets", String.join(",", TARGETS));
    d.put("curves", "none");
    d.put("curve-batch-sizes", "1,10,100,500");
    d.put("curve-devices", "1,4,16,64");
    d.put("curve-instances", "1,2");
    d.put("dataset-sizes", "10000,100000,1000000");
    d.put("curve-entities", "200");
    d.put("curve-batches", "5");
    d.put("url", "");
    d.put("pg-url", "");
    d.put("jwt-secret", "");
    d.put("gateway-heap", "256m");
    d.put("gateway-jvm-args", "");
    d.put("pool-size", "8");
    d.put("live-streams", "1000");
    d.put("live-orgs", "10");
    d.put("live-pushes", "100");
    d.put("out", "bench-results.json");
    return d;
  }

  static BenchOptions parse(Map<String, String> given) {
    Map<String, String> o = withDefaults("bench", given, DEFAULTS);
    List<String> curves = names(o.get("curves"), CURVES);
    List<String> targets = names(o.get("targets"), TARGETS);
    if (!targets.contains("gateway")) {
      throw new IllegalArgumentException("--targets must include gateway (the others are compared with it)");
    }
    return new BenchOptions(
        positive(o, "devices"), positive(o, "batches"), positive(o, "batch-size"), positive(o, "shared-tasks"),
        nonNegative(o, "warm-up-batches"),
        positives(o, "pull-limits"), positive(o, "pull-rounds"), positive(o, "mixed-rate"), positive(o, "mixed-seconds"), positive(o, "mixed-batch"),
        names(o.get("workloads"), WORKLOADS), targets, curves,
        positives(o, "curve-batch-sizes"), positives(o, "curve-devices"), positives(o, "curve-instances"),
        positives(o, "dataset-sizes"), positive(o, "curve-entities"), positive(o, "curve-batches"),
        blankToNull(o.get("url")), blankToNull(o.get("pg-url")), blankToNull(o.get("jwt-secret")),
        o.get("gateway-heap"), words(o.get("gateway-jvm-args")),
        positive(o, "pool-size"), positive(o, "live-streams"), positive(o, "live-orgs"), positive(o, "live-pushes"),
        Path.of(o.get("out")));
  }

  boolean runs(String workload) {
    return workloads.contains(workload);
  }

  boolean drives(String target) {
    return targets.contains(target);
  }

  boolean draws(String curve) {
    return curves.contains(curve);
  }

  /** The given options over the defaults; an option without a default is refused. */
  static Map<String, String> withDefaults(String command, Map<String, String> given, Map<String, String> defaults) {
    for (String name : given.keySet()) {
      if (!defaults.containsKey(name)) {
        throw new IllegalArgumentException("Unknown " + command + " option --" + name + "; options: --"
            + String.join(", --", defaults.keySet()));
      }
    }
    Map<String, String> o = new HashMap<>(defaults);
    o.putAll(given);
    return o;
  }

  static List<String> names(String value, List<String> known) {
    if (value.equals("none")) {
      return List.of();
    }
    if (value.equals("all")) {
      return known;
    }
    List<String> names = Arrays.stream(value.split(",")).map(String::trim).toList();
    for (String name : names) {
      if (!known.contains(name)) {
        throw new IllegalArgumentException("Unknown name '" + name + "'; known: " + String.join(", ", known)
            + " (or all, none)");
      }
    }
    return names;
  }

  static int positive(Map<String, String> o, String name) {
    try {
      int value = Integer.parseInt(o.get(name));
      if (value > 0) {
        return value;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException("--" + name + " must be a positive integer");
  }

  static int nonNegative(Map<String, String> o, String name) {
    return o.get(name).equals("0") ? 0 : positive(o, name);
  }

  private static List<Integer> positives(Map<String, String> o, String name) {
    return Arrays.stream(o.get(name).split(",")).map(part -> positive(Map.of(name, part.trim()), name)).toList();
  }

  /** A space-separated list, e.g. JVM options; empty if blank. */
  static List<String> words(String value) {
    return value.isBlank() ? List.of() : Arrays.asList(value.trim().split("\\s+"));
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }
}
