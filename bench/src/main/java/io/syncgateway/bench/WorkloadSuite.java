package io.syncgateway.bench;

import io.syncgateway.config.Setting;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The workloads, each run against the gateway and then, with the same devices, data sizes and
 * concurrency in an organization of its own, against each reference target (--targets: direct, floor).
 */
final class WorkloadSuite {
  private final BenchEnvironment env;
  private final BenchOptions o;
  private final List<Measurement> results = new ArrayList<>();

  WorkloadSuite(BenchEnvironment env) {
    this.env = env;
    this.o = env.options;
  }

  List<Measurement> run() {
    env.log.printf("Workloads: %d devices, %d batches of %d tasks each%n", o.devices(), o.batches(), o.batchSize());
    targets().forEach(this::warmUp);
    for (SyncTarget<?> target : targets()) {
      pushCreate(target);
    }
    if (o.runs("push-update")) {
      targets().forEach(this::pushUpdate);
    }
    if (o.runs("push-contended")) {
      targets().forEach(this::pushContended);
    }
    if (o.runs("push-spread")) {
      targets().forEach(this::pushSpread);
    }
    if (o.runs("pull-full")) {
      o.pullLimits().forEach(this::pullFull);
    }
    if (o.runs("mixed")) {
      mixed();
    }
    return results;
  }

  /** JIT warm-up of every target (not measured): a few pushes per device and a full pull. */
  private <B> void warmUp(SyncTarget<B> target) {
    if (o.warmUpBatches() == 0) {
      return;
    }
    List<SimDevice> devices = SimDevice.fleet(env.org("warmup-" + target.name()), "d", o.devices(), env.tokens);
    ClosedLoop.run("warm-up", target.name(), Workloads.pushCreate(target, devices, o.warmUpBatches(), o.batchSize()));
    SimDevice reader = SimDevice.one(devices.get(0).principal().orgId(), "reader", env.tokens);
    for (int limit : o.pullLimits()) {
      ClosedLoop.run("warm-up", target.name(), List.of(Workloads.pullFull(target, reader, limit)));
    }
    env.log.println("  warmed up " + target.name());
  }

  private List<SyncTarget<?>> targets() {
    return env.targets();
  }

  private List<SimDevice> writers(SyncTarget<?> target) {
    return SimDevice.fleet(env.org("tasks-" + target.name()), "d", o.devices(), env.tokens);
  }

  /** Always runs: the other workloads update and read what it created (measured only if asked). */
  private <B> void pushCreate(SyncTarget<B> target) {
    List<LoadDevice> load = Workloads.pushCreate(target, writers(target), o.batches(), o.batchSize());
    Measurement measurement = env.measure("push-create", target, load);
    if (o.runs("push-create")) {
      results.add(measurement);
    }
  }

  private <B> void pushUpdate(SyncTarget<B> target) {
    results.add(env.measure("push-update", target,
        Workloads.pushUpdate(target, writers(target), o.batches(), o.batchSize(), 1)));
  }

  private <B> void pushContended(SyncTarget<B> target) {
    String org = env.org("shared-" + target.name());
    SimDevice owner = SimDevice.one(org, "owner", env.tokens);
    // The owner creates the shared set in one push, so it can hold at most one batch's worth.
    int shared = Math.min(o.sharedTasks(), (Integer) Setting.MAX_BATCH_ITEMS.defaultValue());
    ClosedLoop.run("seed", target.name(), Workloads.pushCreate(target, List.of(owner), 1, shared));
    Measurement measurement = env.measure("push-contended", target, Workloads.pushContended(target,
        SimDevice.fleet(org, "d", o.devices(), env.tokens), owner, shared, o.batches(), o.batchSize(), 42));
    results.add(measurement);
  }

  /**
   * push-create with every device in an organization of its own: compared with push-create, where all
   * devices share one organization, it shows what sharing an organization costs.
   */
  private <B> void pushSpread(SyncTarget<B> target) {
    List<SimDevice> spread = SimDevice.spread(env.org("spread-" + target.name()), "d", o.devices(), env.tokens);
    results.add(env.measure("push-spread orgs=" + o.devices(), target,
        Workloads.pushCreate(target, spread, o.batches(), o.batchSize())));
  }

  /**
   * A fresh device reads the whole feed, {@code pull-rounds} times per target, alternating targets so
   * that all see the same machine; the round with the median throughput is reported.
   */
  private void pullFull(int limit) {
    String workload = "pull-full limit=" + limit;
    Map<String, List<Measurement>> rounds = new LinkedHashMap<>();
    for (int round = 0; round < o.pullRounds(); round++) {
      for (SyncTarget<?> target : targets()) {
        SimDevice reader = SimDevice.one(env.org("tasks-" + target.name()), "reader" + limit + "r" + round,
            env.tokens);
        rounds.computeIfAbsent(target.name(), name -> new ArrayList<>())
            .add(env.measure(workload, target, List.of(Workloads.pullFull(target, reader, limit))));
      }
    }
    rounds.values().forEach(measured -> {
      List<Measurement> sorted = new ArrayList<>(measured);
      sorted.sort(Comparator.comparingDouble(Measurement::entitiesPerSecond));
      Measurement median = sorted.get(sorted.size() / 2);
      median.extra().put("roundsEntitiesPerSecond",
          new JsonArray(measured.stream().map(m -> Measurement.round(m.entitiesPerSecond())).toList()));
      results.add(median);
    });
  }

  /**
   * 80 % pulls (each device from its cursor, limit 100) and 20 % pushes (updates of {@code mixed-batch}
   * of a device's own tasks) at a fixed rate, open loop, against the gateway.
   */
  private void mixed() {
    List<SimDevice> devices = writers(env.gateway());
    String start = endOfFeed(devices.get(0));
    String[] cursors = new String[devices.size()];
    Arrays.fill(cursors, start);
    AtomicInteger[] revisions = new AtomicInteger[devices.size()];
    for (int i = 0; i < revisions.length; i++) {
      revisions[i] = new AtomicInteger(2);
    }
    int ownTasks = o.batches() * o.batchSize();
    Measurement pulls = new Measurement("mixed pull", "gateway");
    Measurement pushes = new Measurement("mixed push", "gateway");
    ResourceSampler.Phase phase = env.sampler().start();
    OpenLoop.run(o.mixedRate(), o.mixedSeconds(), i -> {
      int d = i % devices.size();
      SimDevice device = devices.get(d);
      if (i % 5 != 4) {
        return new OpenLoop.Request(pulls, () -> env.gateway().pull(device, 100, cursors[d]).map(page -> {
          cursors[d] = page.cursor();
          return Outcome.of(page.entities());
        }));
      }
      int revision = revisions[d].incrementAndGet();
      JsonObject clock = new JsonObject().put(device.deviceId(), (long) revision);
      int first = (i * o.mixedBatch()) % Math.max(1, ownTasks - o.mixedBatch());
      List<JsonObject> tasks = new ArrayList<>();
      for (int n = first; n < first + Math.min(o.mixedBatch(), ownTasks); n++) {
        tasks.add(TaskPayloads.update(TaskPayloads.taskId(device.deviceId(), n), clock, n, revision));
      }
      var body = env.gateway().encode(device,
          TaskPayloads.body(device.deviceId(), device.deviceId() + "-m" + i, tasks));
      return new OpenLoop.Request(pushes, () -> env.gateway().push(device, body));
    }, List.of(pulls, pushes));
    JsonObject resources = env.sampler().stop(phase).put("targetRate", o.mixedRate());
    for (Measurement kind : List.of(pulls, pushes)) {
      kind.extra().mergeIn(resources.copy());
      env.log.printf("  %-28s %-8s %9.0f req/s  p50 %7.1f ms  p99 %7.1f ms  errors %d%n", kind.workload(), "gateway",
          kind.requestsPerSecond(), kind.latencyMillis(50), kind.latencyMillis(99), kind.errorCount());
      results.add(kind);
    }
  }

  /** The cursor at the end of the feed, read by a throwaway device. */
  private String endOfFeed(SimDevice anyDevice) {
    SimDevice reader = SimDevice.one(anyDevice.principal().orgId(), "catch-up", env.tokens);
    String cursor = null;
    Page page;
    do {
      page = env.gateway().pull(reader, 1000, cursor).await();
      cursor = page.cursor();
    } while (page.hasMore());
    return cursor;
  }
}
