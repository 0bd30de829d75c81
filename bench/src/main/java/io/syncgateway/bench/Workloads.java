package io.syncgateway.bench;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.IntStream;

/**
 * The requests of each workload, per device, with bodies encoded for the target before the clock
 * starts. Task {@code n} of a device is {@link TaskPayloads#taskId}(device, n).
 */
final class Workloads {
  private Workloads() {}

  /** push-create: each device pushes {@code batches} batches of {@code batchSize} new tasks. */
  static <B> List<LoadDevice> pushCreate(SyncTarget<B> target, List<SimDevice> fleet, int batches, int batchSize) {
    return perDevice(fleet, device -> IntStream.range(0, batches).mapToObj(b -> {
      List<JsonObject> tasks = IntStream.range(b * batchSize, (b + 1) * batchSize)
          .mapToObj(n -> TaskPayloads.create(device.deviceId(), TaskPayloads.taskId(device.deviceId(), n), n))
          .toList();
      return push(target, device, TaskPayloads.body(device.deviceId(), device.deviceId() + "-c" + b, tasks));
    }).toList());
  }

  /**
   * push-update: each device updates its own tasks (created by push-create) with a clock that
   * dominates the stored one: {@code {device: revision + 1}}.
   */
  static <B> List<LoadDevice> pushUpdate(SyncTarget<B> target, List<SimDevice> fleet, int batches, int batchSize,
      int revision) {
    return perDevice(fleet, device -> IntStream.range(0, batches).mapToObj(b -> {
      JsonObject clock = new JsonObject().put(device.deviceId(), (long) revision + 1);
      List<JsonObject> tasks = IntStream.range(b * batchSize, (b + 1) * batchSize)
          .mapToObj(n -> TaskPayloads.update(TaskPayloads.taskId(device.deviceId(), n), clock, n, revision))
          .toList();
      return push(target, device, TaskPayloads.body(device.deviceId(), device.deviceId() + "-u" + revision + "-" + b,
          tasks));
    }).toList());
  }

  /**
   * push-contended: every device updates tasks of one small shared set (created by {@code owner}),
   * each with its own counter on top of the owner's: clocks of different devices are concurrent,
   * so most writes after the first one of a task conflict.
   */
  static <B> List<LoadDevice> pushContended(SyncTarget<B> target, List<SimDevice> fleet, SimDevice owner,
      int sharedTasks, int batches, int batchSize, long seed) {
    Random random = new Random(seed);
    List<String> shared = IntStream.range(0, sharedTasks)
        .mapToObj(n -> TaskPayloads.taskId(owner.deviceId(), n)).toList();
    return perDevice(fleet, device -> IntStream.range(0, batches).mapToObj(b -> {
      JsonObject clock = new JsonObject().put(owner.deviceId(), 1L).put(device.deviceId(), (long) b + 1);
      List<String> ids = new ArrayList<>(shared);
      Collections.shuffle(ids, random);
      List<JsonObject> tasks = ids.subList(0, Math.min(batchSize, ids.size())).stream()
          .map(id -> TaskPayloads.update(id, clock, b, b + 1))
          .toList();
      return push(target, device, TaskPayloads.body(device.deviceId(), device.deviceId() + "-x" + b, tasks));
    }).toList());
  }

  /** pull-full: a fresh device follows the cursor from the beginning to the end of the feed. */
  static <B> LoadDevice pullFull(SyncTarget<B> target, SimDevice reader, int limit) {
    return new LoadDevice() {
      private String cursor;
      private boolean done;

      @Override
      public boolean hasNext() {
        return !done;
      }

      @Override
      public Future<Outcome> sendNext() {
        return target.pull(reader, limit, cursor)
            .onComplete(page -> {
              done = page.failed() || !page.result().hasMore();
              cursor = page.succeeded() ? page.result().cursor() : cursor;
            })
            .map(page -> Outcome.of(page.entities()));
      }
    };
  }

  private static <B> Supplier<Future<Outcome>> push(SyncTarget<B> target, SimDevice device, JsonObject body) {
    B encoded = target.encode(device, body);
    return () -> target.push(device, encoded);
  }

  private static List<LoadDevice> perDevice(List<SimDevice> fleet,
      Function<SimDevice, List<Supplier<Future<Outcome>>>> requests) {
    return fleet.stream().map(device -> LoadDevice.of(requests.apply(device))).toList();
  }
}
