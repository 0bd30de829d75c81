package io.syncgateway.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The workload results set side by side: the gateway against each reference target, and devices
 * sharing one organization against devices spread over as many organizations.
 */
final class Comparisons {
  /** Gateway/direct throughput the gateway should reach, per workload (issue 6). */
  private static final Map<String, Double> DIRECT_RATIO_TARGETS = Map.of("push-create", 0.6, "push-update", 0.6,
      "pull-full", 0.7);
  private static final List<String> REFERENCES = List.of("direct", "floor");

  private Comparisons() {}

  /**
   * Per workload run against the gateway and at least one reference: entities/s of each target that
   * ran, {@code gatewayOverDirect} and {@code gatewayOverFloor}, and the target for gateway/direct.
   */
  static JsonArray gatewayRatios(List<Measurement> workloads) {
    JsonArray ratios = new JsonArray();
    for (Measurement gateway : workloads) {
      if (!gateway.target().equals("gateway")) {
        continue;
      }
      JsonObject ratio = new JsonObject().put("workload", gateway.workload())
          .put("gateway", Measurement.round(gateway.entitiesPerSecond()));
      for (String reference : REFERENCES) {
        find(workloads, gateway.workload(), reference).ifPresent(measured -> ratio
            .put(reference, Measurement.round(measured.entitiesPerSecond()))
            .put("gatewayOver" + capitalized(reference), Measurement.round(gateway.entitiesPerSecond()
                / Math.max(1e-9, measured.entitiesPerSecond()))));
      }
      if (ratio.size() == 2) {
        continue;
      }
      Double target = DIRECT_RATIO_TARGETS.get(gateway.workload().split(" ")[0]);
      Double overDirect = ratio.getDouble("gatewayOverDirect");
      ratios.add(ratio.put("target", overDirect == null ? null : target)
          .put("met", overDirect == null || target == null ? null : overDirect >= target));
    }
    return ratios;
  }

  /**
   * Per target that ran both: push-create (every device in one organization) against push-spread
   * (each device in an organization of its own), and spread over one.
   */
  static JsonArray organizationSpread(List<Measurement> workloads) {
    JsonArray rows = new JsonArray();
    for (Measurement spread : workloads) {
      if (!spread.workload().startsWith("push-spread")) {
        continue;
      }
      find(workloads, "push-create", spread.target()).ifPresent(one -> rows.add(new JsonObject()
          .put("target", spread.target())
          .put("workload", spread.workload())
          .put("oneOrganization", Measurement.round(one.entitiesPerSecond()))
          .put("spread", Measurement.round(spread.entitiesPerSecond()))
          .put("spreadOverOne", Measurement.round(spread.entitiesPerSecond()
              / Math.max(1e-9, one.entitiesPerSecond())))));
    }
    return rows;
  }

  private static Optional<Measurement> find(List<Measurement> workloads, String workload, String target) {
    return workloads.stream().filter(m -> m.target().equals(target) && m.workload().equals(workload)).findFirst();
  }

  private static String capitalized(String name) {
    return Character.toUpperCase(name.charAt(0)) + name.substring(1);
  }
}
