package io.syncgateway.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintStream;

/** Prints the results JSON as plain-text tables. */
final class ReportTable {
  private ReportTable() {}

  static void print(JsonObject results, PrintStream out) {
    printWorkloads(results.getJsonArray("workloads"), out);
    printCpuPer100(results.getJsonArray("workloads"), out);
    printRatios(results.getJsonArray("ratios"), out);
    printSpread(results.getJsonArray("organizationSpread"), out);
    JsonObject curves = results.getJsonObject("curves");
    for (String name : curves.fieldNames()) {
      printCurve(name, curves.getJsonArray(name), out);
    }
    out.println();
    out.println("Resources: " + results.getJsonObject("resources").encode());
  }

  private static void printWorkloads(JsonArray workloads, PrintStream out) {
    out.println();
    out.println("== Workloads ==");
    out.printf("%-26s %-8s %10s %8s %8s %8s %8s %8s %7s %6s %7s %7s %7s %7s%n", "workload", "target", "entities/s",
        "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "errors", "confl", "gw cpu", "pg cpu", "gen cpu", "heap");
    for (Object item : workloads) {
      JsonObject m = (JsonObject) item;
      JsonObject latency = m.getJsonObject("latencyMs");
      out.printf("%-26s %-8s %10.0f %8.1f %8.1f %8.1f %8.1f %8.1f %7d %6.2f %7s %7s %7s %7s%n", m.getString("workload"),
          m.getString("target"), m.getDouble("entitiesPerSecond"), m.getDouble("requestsPerSecond"),
          latency.getDouble("p50"), latency.getDouble("p95"), latency.getDouble("p99"), latency.getDouble("max"),
          m.getLong("errorCount"), m.getDouble("conflictRate"), figure(m, "gatewayCpuSeconds"),
          figure(m, "postgresCpuSeconds"), figure(m, "loadGeneratorCpuSeconds"), figure(m, "gatewayHeapPeakMib"));
      if (!m.getJsonObject("errors").isEmpty()) {
        out.println("    errors: " + m.getJsonObject("errors").encode());
      }
    }
  }

  /** CPU milliseconds per 100 entities: the gateway's next to PostgreSQL's for the same work. */
  private static void printCpuPer100(JsonArray workloads, PrintStream out) {
    out.println();
    out.println("== CPU ms per 100 entities (load-gen runs the direct and floor targets) ==");
    out.printf("%-26s %-8s %9s %9s %9s%n", "workload", "target", "gateway", "postgres", "load-gen");
    for (Object item : workloads) {
      JsonObject m = (JsonObject) item;
      JsonObject per100 = m.getJsonObject("cpuMsPer100Entities");
      if (per100 != null && !per100.isEmpty()) {
        out.printf("%-26s %-8s %9s %9s %9s%n", m.getString("workload"), m.getString("target"),
            figure(per100, "gateway"), figure(per100, "postgres"), figure(per100, "loadGenerator"));
      }
    }
  }

  private static void printRatios(JsonArray ratios, PrintStream out) {
    out.println();
    out.println("== Gateway / direct database, gateway / floor ==");
    out.printf("%-26s %12s %12s %9s %8s %5s %12s %9s%n", "workload", "gateway e/s", "direct e/s", "gw/direct",
        "target", "met", "floor e/s", "gw/floor");
    for (Object item : ratios) {
      JsonObject r = (JsonObject) item;
      out.printf("%-26s %12.0f %12s %9s %8s %5s %12s %9s%n", r.getString("workload"), r.getDouble("gateway"),
          whole(r, "direct"), ratio(r, "gatewayOverDirect"),
          r.getValue("target") == null ? "-" : "≥ " + r.getValue("target"),
          r.getValue("met") == null ? "-" : r.getBoolean("met") ? "yes" : "NO", whole(r, "floor"),
          ratio(r, "gatewayOverFloor"));
    }
  }

  private static void printSpread(JsonArray rows, PrintStream out) {
    if (rows.isEmpty()) {
      return;
    }
    out.println();
    out.println("== Devices in one organization (push-create) vs one organization each (push-spread) ==");
    out.printf("%-8s %-22s %14s %14s %8s%n", "target", "spread workload", "one org e/s", "spread e/s", "ratio");
    for (Object item : rows) {
      JsonObject row = (JsonObject) item;
      out.printf("%-8s %-22s %14.0f %14.0f %8.2f%n", row.getString("target"), row.getString("workload"),
          row.getDouble("oneOrganization"), row.getDouble("spread"), row.getDouble("spreadOverOne"));
    }
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
    return format(m, key, "%.1f");
  }

  private static String whole(JsonObject m, String key) {
    return format(m, key, "%.0f");
  }

  private static String ratio(JsonObject m, String key) {
    return format(m, key, "%.2f");
  }

  private static String format(JsonObject m, String key, String format) {
    Double value = m.getDouble(key);
    return value == null ? "-" : String.format(format, value);
  }
}
