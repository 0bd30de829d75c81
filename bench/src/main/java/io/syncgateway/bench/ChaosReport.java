package io.syncgateway.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** The figures of a chaos run, from its measurements, as JSON, and that JSON printed as tables. */
final class ChaosReport {
  /** What a health probe that got no HTTP answer (timeout, refused connection) is counted as. */
  static final String NO_ANSWER = "no answer";
  static final String LIVE = "/health/live";
  static final String READY = "/health/ready";

  private ChaosReport() {}

  /**
   * Requests by outcome: {@code "200"} for successes, otherwise the status and problem code
   * ({@code "503 unavailable"}), or {@code "io ..."} for requests that got no answer.
   */
  static Map<String, Long> byStatus(List<Measurement> measurements) {
    Map<String, Long> counts = new TreeMap<>();
    for (Measurement m : measurements) {
      if (m.successes() > 0) {
        counts.merge("200", m.successes(), Long::sum);
      }
      m.errors().forEach((kind, count) -> counts.merge(kind, count, Long::sum));
    }
    return counts;
  }

  /** The measurements merged into one (overall latency percentiles and counts). */
  static Measurement merged(String workload, String target, List<Measurement> measurements) {
    Measurement all = new Measurement(workload, target);
    measurements.forEach(all::add);
    return all;
  }

  /** Count, successes, p50 and p99 (ms) and outcomes of a kind of request. */
  static JsonObject requests(Measurement m) {
    JsonObject json = new JsonObject().put("requests", m.requests()).put("ok", m.successes())
        .put("byStatus", json(byStatus(List.of(m))));
    if (m.requests() > 0) {
      json.put("p50Ms", m.latencyMillis(50)).put("p99Ms", m.latencyMillis(99)).put("maxMs", m.maxLatencyMillis());
    }
    return json;
  }

  /** Count, successes and outcomes of several kinds of request together. */
  static JsonObject totals(List<Measurement> measurements) {
    Measurement all = merged("all", "all", measurements);
    return new JsonObject().put("requests", all.requests()).put("ok", all.successes())
        .put("byStatus", json(byStatus(measurements)));
  }

  /**
   * Health probes of a window: per path, probes sent and their outcomes, and whether every probe got
   * an HTTP answer ({@code answeredAll}; a 503 from /health/ready is an answer).
   */
  static JsonObject health(Map<String, Map<String, Long>> byPath) {
    JsonObject health = new JsonObject();
    for (String path : List.of(LIVE, READY)) {
      Map<String, Long> outcomes = byPath.getOrDefault(path, Map.of());
      long probes = outcomes.values().stream().mapToLong(Long::longValue).sum();
      health.put(path.substring("/health/".length()), new JsonObject().put("probes", probes)
          .put("byStatus", json(new TreeMap<>(outcomes)))
          .put("answeredAll", probes > 0 && !outcomes.containsKey(NO_ANSWER)));
    }
    return health;
  }

  /** Lines of the gateway's log that report an OutOfMemoryError. */
  static long outOfMemoryErrors(String log) {
    return log.lines().filter(line -> line.contains("OutOfMemoryError")).count();
  }

  /** The faults after which no quiet push succeeded (recoveryMs null). */
  static List<String> neverRecovered(JsonArray faults) {
    List<String> never = new ArrayList<>();
    for (Object item : faults) {
      JsonObject fault = (JsonObject) item;
      if (fault.getValue("recoveryMs") == null) {
        never.add(fault.getString("fault"));
      }
    }
    return never;
  }

  /** The verdict: what must be zero, and the faults never recovered from. */
  static JsonObject verdict(long ooms, JsonObject writes, JsonArray faults) {
    Long lost = writes.getLong("lost");
    List<String> never = neverRecovered(faults);
    boolean passed = ooms == 0 && lost != null && lost == 0 && writes.getLong("unverified", 0L) == 0 && never.isEmpty();
    return new JsonObject().put("outOfMemoryErrors", ooms).put("acknowledgedWritesLost", lost)
        .put("unverifiedWrites", writes.getLong("unverified", 0L)).put("neverRecovered", new JsonArray(never))
        .put("passed", passed);
  }

  static JsonObject json(Map<String, Long> counts) {
    JsonObject json = new JsonObject();
    counts.forEach(json::put);
    return json;
  }

  static void print(JsonObject results, PrintStream out) {
    out.println();
    out.println("== Chaos run: " + results.getJsonObject("options").getInteger("seconds") + " s of traffic, "
        + "quiet organizations' pushes and pulls (open loop) with one fault after another ==");
    out.printf("%-16s %-13s %8s %8s %9s %9s %-10s %-10s  %s%n", "window", "from-to s", "requests", "200",
        "push p50", "push p99", "live", "ready", "other outcomes");
    for (Object item : results.getJsonArray("windows")) {
      JsonObject w = (JsonObject) item;
      printRow(out, w.getString("window"), span(w), w.getJsonObject("requests"), w.getJsonObject("quietPush"),
          w.getJsonObject("health"));
    }
    JsonObject overall = results.getJsonObject("overall");
    printRow(out, "overall", "", overall.getJsonObject("requests"), overall.getJsonObject("quietPush"), null);
    out.println("  (push p50/p99: the quiet organizations' pushes, ms from their scheduled start; "
        + "live/ready: health probes answered 200 / sent)");

    out.println();
    out.println("== Faults ==");
    out.printf("%-16s %12s  %s%n", "fault", "recover ms", "what happened");
    for (Object item : results.getJsonArray("faults")) {
      JsonObject f = (JsonObject) item;
      Object recovery = f.getValue("recoveryMs");
      out.printf("%-16s %12s  %s%n", f.getString("fault"), recovery == null ? "NEVER" : recovery,
          f.getJsonObject("details").encode());
    }
    out.println("  (recover ms: from the end of the fault to the answer of the first successful quiet push sent after it)");

    JsonObject writes = results.getJsonObject("acknowledgedWrites");
    JsonObject verdict = results.getJsonObject("verdict");
    out.println();
    out.println("== Verdict ==");
    out.println("OutOfMemoryError in the gateway's log: " + verdict.getLong("outOfMemoryErrors") + " (must be 0)");
    out.println("acknowledged writes: " + writes.getLong("writes") + " task writes in " + writes.getInteger("batches")
        + " batches; lost: " + (writes.getValue("lost") == null ? "NOT VERIFIED" : writes.getLong("lost"))
        + " (must be 0); not verified: " + writes.getLong("unverified"));
    List<String> never = verdict.getJsonArray("neverRecovered").stream().map(String::valueOf).toList();
    out.println("recovered after every fault: " + (never.isEmpty() ? "yes"
        : "NO, never recovered within the run and the " + results.getJsonObject("options").getInteger("recoverySeconds")
            + " s recovery wait: " + String.join(", ", never)));
    out.println("gateway process alive at the end: " + results.getBoolean("gatewayAliveAtEnd"));
    out.println("passed: " + (verdict.getBoolean("passed") ? "yes" : "NO"));
  }

  private static void printRow(PrintStream out, String window, String span, JsonObject requests, JsonObject push,
      JsonObject health) {
    JsonObject statuses = requests.getJsonObject("byStatus");
    String others = statuses.fieldNames().stream().filter(status -> !status.equals("200")).sorted()
        .map(status -> status + " ×" + statuses.getLong(status)).collect(Collectors.joining(", "));
    out.printf("%-16s %-13s %8d %8d %9s %9s %-10s %-10s  %s%n", window, span, requests.getLong("requests"),
        requests.getLong("ok"), millis(push, "p50Ms"), millis(push, "p99Ms"), probes(health, "live"),
        probes(health, "ready"), others.isEmpty() ? "-" : others);
  }

  private static String span(JsonObject window) {
    Long from = window.getLong("fromMs");
    Long to = window.getLong("toMs");
    return from == null || to == null ? "" : String.format("%.1f-%.1f", from / 1000.0, to / 1000.0);
  }

  private static String millis(JsonObject push, String key) {
    Double value = push == null ? null : push.getDouble(key);
    return value == null ? "-" : String.format("%.1f", value);
  }

  private static String probes(JsonObject health, String which) {
    if (health == null) {
      return "";
    }
    JsonObject probe = health.getJsonObject(which);
    long probes = probe.getLong("probes");
    return probes == 0 ? "-" : probe.getJsonObject("byStatus").getLong("200", 0L) + "/" + probes;
  }
}
