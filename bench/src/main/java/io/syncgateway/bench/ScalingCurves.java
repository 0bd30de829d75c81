package io.syncgateway.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * How throughput grows: push-create against batch size and device count (gateway and direct, each
 * point in fresh organizations), and push-create plus pull-full against verticle instances.
 */
final class ScalingCurves {
  private final BenchEnvironment env;
  private final BenchOptions o;

  ScalingCurves(BenchEnvironment env) {
    this.env = env;
    this.o = env.options;
  }

  /** Each device pushes about {@code curve-entities} tasks, in batches of each size. */
  JsonArray batchSize() {
    JsonArray points = new JsonArray();
    env.log.println("Curve: throughput vs batch size (" + o.devices() + " devices)");
    for (int size : o.curveBatchSizes()) {
      int batches = Math.max(1, o.curveEntities() / size);
      points.add(point("batch-size", size, target ->
          Workloads.pushCreate(target, fleet(target, "bs" + size, o.devices()), batches, size)));
    }
    return points;
  }

  JsonArray devices() {
    JsonArray points = new JsonArray();
    env.log.println("Curve: throughput vs devices (" + o.curveBatches() + " batches of " + o.batchSize() + ")");
    for (int count : o.curveDevices()) {
      points.add(point("devices", count, target ->
          Workloads.pushCreate(target, fleet(target, "dev" + count, count), o.curveBatches(), o.batchSize())));
    }
    return points;
  }

  /** Restarts the gateway with N instances of every verticle; the last count stays running. */
  JsonArray instances() {
    JsonArray points = new JsonArray();
    if (!env.ownsGateway()) {
      env.log.println("Curve: verticle instances skipped (the gateway is not started by this benchmark)");
      return points;
    }
    for (int instances : o.curveInstances()) {
      String n = String.valueOf(instances);
      env.startGateway(Map.of("SYNC_HTTP_INSTANCES", n, "SYNC_DECODE_INSTANCES", n, "SYNC_CONFLICT_INSTANCES", n,
          "SYNC_PERSISTENCE_INSTANCES", n));
      GatewayTarget gateway = env.gateway();
      // A fresh JVM: warm it up first, as the workloads do, so the curve compares steady states.
      ClosedLoop.run("warm-up", gateway.name(), Workloads.pushCreate(gateway, fleet(gateway, "inst-warm" + n,
          o.devices()), Math.max(1, o.warmUpBatches()), o.batchSize()));
      List<SimDevice> devices = fleet(gateway, "inst" + n, o.devices());
      Measurement push = env.measure("push-create instances=" + n, gateway,
          Workloads.pushCreate(gateway, devices, o.curveBatches(), o.batchSize()));
      SimDevice reader = SimDevice.one(devices.get(0).principal().orgId(), "reader", env.tokens);
      Measurement pull = env.measure("pull-full instances=" + n, gateway,
          List.of(Workloads.pullFull(gateway, reader, 1000)));
      points.add(new JsonObject().put("curve", "instances").put("x", instances)
          .put("push", push.toJson()).put("pull", pull.toJson()));
    }
    return points;
  }

  private List<SimDevice> fleet(SyncTarget<?> target, String name, int count) {
    return SimDevice.fleet(env.org(name + "-" + target.name()), "d", count, env.tokens);
  }

  private JsonObject point(String curve, int x, Function<SyncTarget<?>, List<LoadDevice>> load) {
    Measurement gateway = env.measure(curve + "=" + x, env.gateway(), load.apply(env.gateway()));
    Measurement direct = env.measure(curve + "=" + x, env.direct(), load.apply(env.direct()));
    return new JsonObject().put("curve", curve).put("x", x)
        .put("gateway", gateway.toJson()).put("direct", direct.toJson())
        .put("ratio", Measurement.round(gateway.entitiesPerSecond() / Math.max(1e-9, direct.entitiesPerSecond())));
  }
}
