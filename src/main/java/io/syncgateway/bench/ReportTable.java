package io.syncgateway.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintStream;

/** Prints the results JSON as plain-text tables. */
final class ReportTable {
  private ReportTable() {}

  static void print(JsonObject results, PrintStream out) {
    out.println();
    out.println("== Workloads ==");
    out.printf("%-26s %-8s %10s %8s %8s %8s %8s %8s %7s %6s %7s %7s %7s%n", "workload", "target", "entities/s",
        "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "errors", "confl", "gw cpu", "gen cpu", "heap");
    for (Object item : results.getJsonArray("workloads")) {
      JsonObject m = (JsonObject) item;
      JsonObject latency = m.getJsonObject("latencyMs");
      out.printf("%-26s %-8s %10.0f %8.1f %8.1f %8.1f %8.1f %8.1f %7d %6.2f %7s %7s %7s%n", m.getString("workload"),
          m.getString("target"), m.getDouble("entitiesPerSecond"), m.getDouble("requestsPerSecond"),
          latency.getDouble("p50"), latency.getDouble("p95"), latency.getDouble("p99"), latency.getDouble("max"),
          m.getLong("errorCount"), m.getDouble("conflictRate"), figure(m, "gatewayCpuSeconds"),
          figure(m, "loadGeneratorCpuSeconds"), figure(m, "gatewayHeapPeakMib"));
      if (!m.getJsonObject("errors").isEmpty()) {
        out.println("    errors: " + m.getJsonObject("errors").encode());
      }
    }
    out.println();
    out.println("== Gateway / direct database ==");
    out.printf("%-26s %12s %12s %7s %8s %5s%n", "workload", "gateway e/s", "direct e/s", "ratio", "target", "met");
    for (Object item : results.getJsonArray("ratios")) {
      JsonObject r = (JsonObject) item;
      out.printf("%-26s %12.0f %12.0f %7.2f %8s %5s%n", r.getString("workload"), r.getDouble("gateway"),
          r.getDouble("direct"), r.getDouble("ratio"), r.getValue("target") == null ? "-" : "≥ " + r.getValue("target"),
          r.getValue("met") == null ? "-" : r.getBoolean("met") ? "yes" : "NO");
    }
    JsonObject curves = results.getJsonObject("curves");
    for (String name : curves.fieldNames()) {
      printCurve(name, curves.getJsonArray(name), out);
    }
    out.println();
    out.println("Resources: " + results.getJsonObject("resources").encode());
  }

  private static void printCurve(String name, JsonArray points, PrintStream out) {
    out.println();
    out.println("== Curve: " + name + " ==");
    for (Object item : points) {
      JsonObject point = (JsonObject) item;
      if (point.containsKey("ratio")) {
        JsonObject gateway = point.getJsonObject("gateway");
        JsonObject direct = point.getJsonObject("direct");
        out.printf("%-12s %8d  gateway %9.0f e/s (p99 %7.1f ms)  direct %9.0f e/s  ratio %.2f%n", name,
            point.getInteger("x"), gateway.getDouble("entitiesPerSecond"),
            gateway.getJsonObject("latencyMs").getDouble("p99"), direct.getDouble("entitiesPerSecond"),
            point.getDouble("ratio"));
      } else if (point.containsKey("push")) {
        out.printf("%-12s %8d  push %9.0f e/s  pull %9.0f e/s%n", name, point.getInteger("x"),
            point.getJsonObject("push").getDouble("entitiesPerSecond"),
            point.getJsonObject("pull").getDouble("entitiesPerSecond"));
      } else {
        for (String target : new String[] {"gateway", "direct"}) {
          JsonObject at = point.getJsonObject(target);
          out.printf("%-12s %8d  %-8s page p50 ms: start %6.2f  middle %6.2f  end %6.2f%n", name, point.getLong("x"),
              target, p50(at, "start"), p50(at, "middle"), p50(at, "end"));
        }
      }
    }
  }

  static double p50(JsonObject positions, String where) {
    return positions.getJsonObject(where).getJsonObject("latencyMs").getDouble("p50");
  }

  private static String figure(JsonObject m, String key) {
    Double value = m.getDouble(key);
    return value == null ? "-" : String.format("%.1f", value);
  }
}
