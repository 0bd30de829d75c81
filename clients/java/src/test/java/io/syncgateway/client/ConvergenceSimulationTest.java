package io.syncgateway.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.syncgateway.client.conflict.ConflictResolver;
import io.syncgateway.client.conflict.Resolvers;
import io.syncgateway.client.store.InMemoryLocalStore;
import io.syncgateway.client.store.LocalEntity;
import io.syncgateway.client.store.QueueItem;
import io.syncgateway.clock.ClockRelation;
import io.syncgateway.clock.VectorClock;
import io.syncgateway.entity.EntityType;
import io.syncgateway.testsupport.Changes;
import io.syncgateway.testsupport.FaultProxy;
import io.syncgateway.testsupport.GatewayHarness;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The proof that the whole system converges: K devices of two users in one organization edit at
 * random, go offline and online at random, and sync through a proxy that drops connections, delays
 * requests and cuts responses after the server committed. At the end everyone syncs until quiet,
 * conflicts are resolved by a deterministic resolver, and every store must equal the server's.
 *
 * <p>The short run is part of the default suite. {@code -Dsim.long=true} runs many more steps and
 * seeds; {@code -Dsim.seed=N} replays one seed (the seed is printed when a run fails).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("Convergence simulation: devices, faults, conflicts")
class ConvergenceSimulationTest {
  private static final boolean LONG = Boolean.getBoolean("sim.long");
  private static final ConflictResolver RESOLVER = Resolvers.deleteWins(Resolvers.fieldMerge(Resolvers.keepRemote()));
  private static final int HOT_SET = 4;
  private static final List<String> STATUSES = List.of("todo", "doing", "done", "blocked");

  private GatewayHarness gateway;
  private Vertx vertx;

  @BeforeAll
  void startGateway() {
    gateway = GatewayHarness.start("sim");
    vertx = Vertx.vertx();
  }

  @AfterAll
  void stop() {
    vertx.close().await();
    gateway.close();
  }

  @Test
  @DisplayName("every device ends equal to the server, with no acknowledged edit lost and no item dropped")
  void devicesConverge() {
    List<Long> seeds = new ArrayList<>();
    if (Long.getLong("sim.seed") != null) {
      seeds.add(Long.getLong("sim.seed"));
    } else if (LONG) {
      Random seedSource = new Random();
      for (int i = 0; i < Integer.getInteger("sim.runs", 5); i++) {
        seeds.add(seedSource.nextLong());
      }
    } else {
      seeds.add(20261126L);
    }
    for (long seed : seeds) {
      try {
        new Run(seed, LONG ? 8 : 6, LONG ? 4000 : 400).execute();
      } catch (AssertionError | RuntimeException e) {
        System.err.println("Convergence simulation failed with seed " + seed + " (replay: -Dsim.seed=" + seed + ")");
        throw new AssertionError("simulation failed with seed " + seed + ": " + e.getMessage(), e);
      }
    }
  }

  /** A device of the simulation and everything observed about it. */
  private record Device(SyncClient client, String user, String token, List<Write> writes, List<Write> acknowledged,
      List<SyncEvent> failures) {}

  /** A state a device wrote, or the server acknowledged. */
  private record Write(EntityType type, String id, VectorClock clock) {}

  private final class Run {
    private final long seed;
    private final int deviceCount;
    private final int steps;
    private final Random random;
    private final String org = Changes.uniqueId("sim-org");
    private final List<Device> devices = new ArrayList<>();
    private final Map<String, String> commentAuthors = new ConcurrentHashMap<>();
    private final List<Future<SyncResult>> inFlight = new ArrayList<>();
    private final AtomicInteger conflicts = new AtomicInteger();
    private FaultProxy proxy;
    private int counter;

    Run(long seed, int deviceCount, int steps) {
      this.seed = seed;
      this.deviceCount = deviceCount;
      this.steps = steps;
      this.random = new Random(seed);
    }

    void execute() {
      proxy = FaultProxy.start(vertx, gateway.gateway().httpPort(), seed).rates(0.08, 0.10, 0.08);
      try {
        openDevices();
        long sharing = System.nanoTime();
        shareStartingTasks();
        System.out.printf("shared in %d ms%n", (System.nanoTime() - sharing) / 1_000_000);
        for (int step = 0; step < steps; step++) {
          step(devices.get(random.nextInt(devices.size())));
        }
        long editing = System.nanoTime();
        inFlight.forEach(f -> f.await());
        long settling = System.nanoTime();
        int rounds = settle();
        System.out.printf("settled in %d ms%n", (System.nanoTime() - settling) / 1_000_000);
        assertConverged();
        System.out.printf("seed %d: %d devices, %d steps, %d writes, %d acknowledged, %d conflicts, %d failed items,"
            + " %d settle rounds, %d ms; faults: %d dropped, %d cut, %d delayed of %d connections%n", seed,
            deviceCount, steps, devices.stream().mapToInt(d -> d.writes().size()).sum(),
            devices.stream().mapToInt(d -> d.acknowledged().size()).sum(), conflicts.get(),
            devices.stream().mapToInt(d -> d.failures().size()).sum(), rounds, (System.nanoTime() - editing) / 1_000_000,
            proxy.count(FaultProxy.Fault.DROP_MID_REQUEST), proxy.count(FaultProxy.Fault.CUT_RESPONSE),
            proxy.count(FaultProxy.Fault.DELAY), proxy.connections());
        devices.forEach(d -> d.failures().forEach(f -> System.out.println("failed item: " + f)));
        devices.forEach(d -> System.out.printf("%s: %d cycles, success rate %.2f, avg %.0f ms, errors %s%n", d.client().deviceId(),
            d.client().monitor().results().size(), d.client().monitor().successRate(), d.client().monitor().averageDurationMs(),
            d.client().monitor().results().stream().filter(r -> !r.succeeded()).map(SyncResult::error).distinct()
                .toList()));
        assertThat(conflicts.get()).as("conflicts happened").isPositive();
        assertThat(proxy.count(FaultProxy.Fault.CUT_RESPONSE)).as("responses cut after commit").isPositive();
        assertThat(proxy.count(FaultProxy.Fault.DROP_MID_REQUEST)).as("requests dropped").isPositive();
      } finally {
        devices.forEach(d -> d.client().close());
        proxy.close();
      }
    }

    private void openDevices() {
      for (int i = 0; i < deviceCount; i++) {
        String user = "user-" + (i % 2);
        String token = gateway.token(user, org);
        SyncClientOptions options = SyncClientOptions.of("http://127.0.0.1:" + proxy.port(), token)
            .withBackoff(20, 400, 10_000).withBreaker(50, 100).withKeepAlive(false).withBatching(100, 50);
        SyncClient client = SyncClient.open(vertx, new InMemoryLocalStore(), options).await();
        Device device = new Device(client, user, token, new CopyOnWriteArrayList<>(), new CopyOnWriteArrayList<>(),
            new CopyOnWriteArrayList<>());
        client.onEvent(event -> {
          if (event.type() == SyncEvent.Type.ITEM_ACKNOWLEDGED) {
            device.acknowledged().add(new Write(event.entityType(), event.entityId(), event.clock()));
          } else if (event.type() == SyncEvent.Type.CONFLICT_ADDED) {
            conflicts.incrementAndGet();
          } else if (event.type() == SyncEvent.Type.ITEM_FAILED) {
            device.failures().add(event);
          }
        });
        devices.add(device);
      }
    }

    /** Every device starts from the same few tasks, so edits collide from the first step. */
    private void shareStartingTasks() {
      for (int i = 0; i < HOT_SET; i++) {
        write(devices.get(i % devices.size()), devices.get(i % devices.size()).client().create(EntityType.TASK,
            new JsonObject().put("title", "shared " + i)));
      }
      for (int round = 0; round < 2; round++) {
        devices.forEach(d -> d.client().syncNow().await());
      }
    }

    private void step(Device device) {
      int action = random.nextInt(100);
      if (action < 10) {
        write(device, device.client().create(EntityType.TASK, new JsonObject().put("title", "task " + next())
            .put("status", pick(STATUSES))));
      } else if (action < 20) {
        pickLive(device, EntityType.TASK).ifPresent(task -> {
          Future<LocalEntity> created = device.client().create(EntityType.COMMENT,
              new JsonObject().put("taskId", task.id()).put("content", "comment " + next()));
          LocalEntity comment = write(device, created);
          commentAuthors.put(comment.id(), device.user());
        });
      } else if (action < 25) {
        pickLive(device, EntityType.TASK).ifPresent(task -> write(device, device.client().create(
            EntityType.ATTACHMENT, new JsonObject().put("taskId", task.id()).put("filename", "f" + next() + ".txt")
                .put("size", random.nextInt(10_000)))));
      } else if (action < 75) {
        EntityType type = pick(List.of(EntityType.TASK, EntityType.TASK, EntityType.COMMENT, EntityType.ATTACHMENT));
        pickEditable(device, type).ifPresent(entity ->
            write(device, device.client().update(type, entity.id(), randomChange(type))));
      } else if (action < 80) {
        EntityType type = pick(List.of(EntityType.TASK, EntityType.COMMENT, EntityType.ATTACHMENT));
        pickEditable(device, type).ifPresent(entity -> write(device, device.client().delete(type, entity.id())));
      } else if (action < 86) {
        device.client().setOnline(random.nextBoolean());
      } else {
        Future<SyncResult> sync = device.client().syncNow();
        if (random.nextBoolean()) {
          sync.await(); // half the syncs finish before the next step, so devices see each other's work
        } else {
          inFlight.add(sync);
        }
      }
    }

    private JsonObject randomChange(EntityType type) {
      JsonObject change = new JsonObject();
      switch (type) {
        case TASK -> {
          int fields = 1 + random.nextInt(2);
          for (int i = 0; i < fields; i++) {
            switch (random.nextInt(6)) {
              case 0 -> change.put("title", "task " + next());
              case 1 -> change.put("status", pick(STATUSES));
              case 2 -> change.put("description", random.nextInt(4) == 0 ? null : "text " + next());
              case 3 -> change.put("tags", new JsonArray().add("t" + random.nextInt(5)));
              case 4 -> change.put("position", random.nextInt(1000));
              default -> change.put("customFields", new JsonObject().put("k", next()));
            }
          }
        }
        case COMMENT -> change.put("content", "comment " + next());
        default -> change.put("mimeType", pick(List.of("text/plain", "image/png")))
            .put("size", random.nextInt(10_000));
      }
      return change;
    }

    private Optional<LocalEntity> pickLive(Device device, EntityType type) {
      List<LocalEntity> live = device.client().list(type).await();
      return live.isEmpty() ? Optional.empty() : Optional.of(live.get(random.nextInt(live.size())));
    }

    /** Comments are edited only by their author's devices: others would be refused (not an error to test here). */
    private Optional<LocalEntity> pickEditable(Device device, EntityType type) {
      List<LocalEntity> live = device.client().list(type).await().stream()
          .filter(e -> type != EntityType.COMMENT || device.user().equals(commentAuthors.get(e.id()))).toList();
      if (live.isEmpty()) {
        return Optional.empty();
      }
      // Half of the edits go to a few "hot" entities, so devices often edit the same ones concurrently.
      int range = random.nextBoolean() ? Math.min(HOT_SET, live.size()) : live.size();
      return Optional.of(live.get(random.nextInt(range)));
    }

    private LocalEntity write(Device device, Future<LocalEntity> written) {
      LocalEntity entity = written.await();
      device.writes().add(new Write(entity.type(), entity.id(), entity.clock()));
      return entity;
    }

    private <T> T pick(List<T> values) {
      return values.get(random.nextInt(values.size()));
    }

    private int next() {
      return ++counter;
    }

    /** Faults off, everyone online; sync and resolve until a whole round changes nothing. */
    private int settle() {
      proxy.setEnabled(false);
      devices.forEach(d -> d.client().setOnline(true));
      long deadline = System.nanoTime() + (LONG ? 300 : 45) * 1_000_000_000L;
      for (int round = 0; System.nanoTime() < deadline; round++) {
        boolean quiet = true;
        for (Device device : devices) {
          int resolved = device.client().resolveAll(RESOLVER).await();
          SyncResult result = device.client().syncNow().await();
          boolean idle = result.succeeded() && result.pushed() == 0 && result.pulled() == 0
              && result.conflicts() == 0 && resolved == 0 && device.client().pendingItems().await().isEmpty();
          quiet &= idle;
        }
        if (quiet) {
          return round;
        }
        sleep(50);
      }
      throw new AssertionError("devices never went quiet: pending "
          + devices.stream().map(d -> d.client().pendingItems().await().size()).toList()
          + ", conflicts " + devices.stream().map(d -> d.client().conflicts().await().size()).toList());
    }

    private void assertConverged() {
      JsonObject server = gateway.pullAll(devices.get(0).token(), null, 1000);
      Map<String, String> serverChecksums = new TreeMap<>();
      Map<String, VectorClock> serverClocks = new HashMap<>();
      for (EntityType type : EntityType.values()) {
        JsonArray entities = server.getJsonArray(type.plural());
        for (int i = 0; i < entities.size(); i++) {
          JsonObject entity = entities.getJsonObject(i);
          VectorClock clock = LocalEntity.clock(entity.getJsonObject("vectorClock"));
          serverChecksums.put(key(type, entity.getString("id")),
              LocalEntity.contentChecksum(entity.getString("id"), LocalEntity.domainFields(entity), clock));
          serverClocks.put(key(type, entity.getString("id")), clock);
        }
      }
      JsonArray tombstones = server.getJsonArray("tombstones");
      for (int i = 0; i < tombstones.size(); i++) {
        JsonObject tombstone = tombstones.getJsonObject(i);
        serverClocks.put(key(EntityType.fromName(tombstone.getString("entityType")), tombstone.getString("entityId")),
            LocalEntity.clock(tombstone.getJsonObject("vectorClock")));
      }
      assertThat(serverChecksums).as("the server holds entities").isNotEmpty();
      for (Device device : devices) {
        Map<String, String> local = new TreeMap<>();
        for (EntityType type : EntityType.values()) {
          device.client().list(type).await().forEach(e -> local.put(key(type, e.id()), e.checksum()));
        }
        assertThat(local).as("store of %s equals the server's", device.client().deviceId())
            .isEqualTo(serverChecksums);
        assertThat(device.client().conflicts().await()).as("open conflicts").isEmpty();
        for (Write ack : device.acknowledged()) {
          assertThat(relation(serverClocks.get(key(ack.type(), ack.id())), ack.clock()))
              .as("acknowledged %s is in the final state or causally superseded", ack)
              .isIn(ClockRelation.AFTER, ClockRelation.EQUAL);
        }
        List<QueueItem> failed = device.client().failedItems().await();
        for (SyncEvent failure : device.failures()) {
          // Later writes to the entity amend the failed item: its clock then includes the reported one.
          assertThat(failed).as("item reported failed (%s) is still in the failed queue", failure.detail())
              .anyMatch(item -> item.type() == failure.entityType() && item.entityId().equals(failure.entityId())
                  && includes(item.clock(), failure.clock()));
        }
        for (Write write : device.writes()) {
          boolean onServer = includes(serverClocks.get(key(write.type(), write.id())), write.clock());
          boolean inFailedQueue = failed.stream().anyMatch(item -> item.type() == write.type()
              && item.entityId().equals(write.id()) && item.lastError() != null
              && includes(item.clock(), write.clock()));
          assertThat(onServer || inFailedQueue)
              .as("local write %s of %s reached the server or waits in the failed queue", write,
                  device.client().deviceId())
              .isTrue();
        }
      }
    }

    private ClockRelation relation(VectorClock server, VectorClock write) {
      return server == null ? null : server.relationTo(write);
    }

    /** Whether {@code state} holds {@code write} or a causal successor of it. */
    private boolean includes(VectorClock state, VectorClock write) {
      ClockRelation relation = relation(state, write);
      return relation == ClockRelation.AFTER || relation == ClockRelation.EQUAL;
    }

    private String key(EntityType type, String id) {
      return type.singular() + ":" + id;
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
