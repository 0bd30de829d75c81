package io.syncgateway.sync;

import static io.syncgateway.testsupport.Changes.batch;
import static io.syncgateway.testsupport.Changes.clock;
import static io.syncgateway.testsupport.Changes.task;
import static io.syncgateway.testsupport.Changes.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;

import io.syncgateway.persistence.CursorSigner;
import io.syncgateway.persistence.FeedCursor;
import io.syncgateway.persistence.db.PgUrl;
import io.syncgateway.testsupport.GatewayHarness;
import io.syncgateway.testsupport.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Feed under concurrency: no gaps, no lost updates, several gateways on one database")
class FeedConcurrencyTest {
  private static final int WRITERS = 4;
  private static final int BATCHES_PER_WRITER = 15;
  private static final int TASKS_PER_BATCH = 10;
  private static final int PULL_LIMIT = 7;
  private static final int RACERS = 8;
  private static final int RACE_ROUNDS = 5;
  private static final int PUSHERS = 32;
  private static final int BATCHES_PER_PUSHER = 4;
  private static final int TASKS_PER_BATCH_OF_32 = 5;

  /** Two gateway processes on one database; single-gateway tests use the first. */
  private static PgUrl database;
  private static GatewayHarness gateway;
  private static GatewayHarness other;
  private static ExecutorService threads;
  private String org;
  private String token;

  @BeforeAll
  static void startGateways() {
    database = TestDatabase.freshDatabase("feed_concurrency");
    gateway = GatewayHarness.start(database, Map.of());
    other = GatewayHarness.start(database, Map.of());
    threads = Executors.newCachedThreadPool();
  }

  @AfterAll
  static void stopGateways() throws InterruptedException {
    threads.shutdownNow();
    threads.awaitTermination(10, TimeUnit.SECONDS);
    try {
      other.close();
    } finally {
      gateway.close();
    }
  }

  @BeforeEach
  void freshOrganization() {
    org = uniqueId("org");
    token = gateway.token("alice", org);
  }

  // ---------------------------------------------------------------- no gaps

  @Test
  @DisplayName("no gaps: a puller following the cursor while 4 devices push concurrently sees every acknowledged change")
  void cursorPullerMissesNothingWhileWritersPush() {
    Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    AtomicBoolean writing = new AtomicBoolean(true);
    String pullerDevice = uniqueId("dev-puller");
    List<String> violations = new CopyOnWriteArrayList<>();
    Set<String> seen = ConcurrentHashMap.newKeySet();

    CompletableFuture<Void> writers = startWriters(acknowledged);
    writers.whenComplete((done, error) -> writing.set(false));
    String[] cursor = {"0"};
    CompletableFuture<Integer> puller = CompletableFuture.supplyAsync(() -> {
      int sequences = 0;
      while (writing.get()) {
        cursor[0] = followSequence(cursor[0], pullerDevice, acknowledged, seen, violations, "sequence " + sequences++);
      }
      return sequences;
    }, threads);

    writers.join();
    assertThat(puller.join()).as("cursor sequences completed while the writers pushed").isPositive();
    followSequence(cursor[0], pullerDevice, acknowledged, seen, violations, "final sequence");

    assertThat(acknowledged).hasSize(WRITERS * BATCHES_PER_WRITER * TASKS_PER_BATCH);
    assertThat(violations).as("sequences that ended without a change acknowledged before they began").isEmpty();
    assertThat(seen).containsExactlyInAnyOrderElementsOf(acknowledged);
  }

  @Test
  @DisplayName("no gaps: offset paging of a numeric since skips nothing while 4 devices push concurrently")
  void offsetPullerMissesNothingWhileWritersPush() {
    long since = System.currentTimeMillis() - 1;
    Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    AtomicBoolean writing = new AtomicBoolean(true);
    String pullerDevice = uniqueId("dev-puller");
    List<String> violations = new CopyOnWriteArrayList<>();

    CompletableFuture<Void> writers = startWriters(acknowledged);
    writers.whenComplete((done, error) -> writing.set(false));
    CompletableFuture<Integer> puller = CompletableFuture.supplyAsync(() -> {
      int sequences = 0;
      while (writing.get()) {
        offsetSequence(since, pullerDevice, acknowledged, violations, "sequence " + sequences++);
      }
      return sequences;
    }, threads);

    writers.join();
    assertThat(puller.join()).as("offset sequences completed while the writers pushed").isPositive();
    Set<String> seen = offsetSequence(since, pullerDevice, acknowledged, violations, "final sequence");

    assertThat(violations).as("offset sequences that ended without a change acknowledged before they began").isEmpty();
    assertThat(seen).containsExactlyInAnyOrderElementsOf(acknowledged);
  }

  /** 4 devices × 15 batches × 10 new tasks, pushed concurrently; each acknowledged id is recorded. */
  private CompletableFuture<Void> startWriters(Set<String> acknowledged) {
    List<CompletableFuture<Void>> writers = new ArrayList<>();
    for (int w = 0; w < WRITERS; w++) {
      String device = uniqueId("dev-w" + w);
      String prefix = "w" + w + "-";
      writers.add(CompletableFuture.runAsync(() -> {
        for (int b = 0; b < BATCHES_PER_WRITER; b++) {
          List<Object> items = new ArrayList<>();
          List<String> ids = new ArrayList<>();
          for (int i = 0; i < TASKS_PER_BATCH; i++) {
            String id = prefix + b + "-" + i;
            ids.add(id);
            items.add("task");
            items.add(task(id, clock(device, b * TASKS_PER_BATCH + i + 1), "Task " + id));
          }
          JsonObject response = gateway.pushOk(token, batch(device, items.toArray()));
          assertThat(response.getInteger("processed")).as("push %s", response).isEqualTo(TASKS_PER_BATCH);
          acknowledged.addAll(ids);
        }
      }, threads));
    }
    return CompletableFuture.allOf(writers.toArray(CompletableFuture[]::new));
  }

  /**
   * Follows the cursor from {@code cursor} until hasMore is false. Every change acknowledged before the
   * sequence began must have been seen by its end; a miss is recorded as a violation.
   */
  private String followSequence(String cursor, String device, Set<String> acknowledged, Set<String> seen,
      List<String> violations, String name) {
    return followSequence(gateway, cursor, device, acknowledged, seen, violations, name);
  }

  private String followSequence(GatewayHarness through, String cursor, String device, Set<String> acknowledged,
      Set<String> seen, List<String> violations, String name) {
    Set<String> mustSee = new HashSet<>(acknowledged);
    for (int page = 0; page < 100_000; page++) {
      JsonObject body = through.getOk(token, "/api/sync/pull?limit=" + PULL_LIMIT + "&deviceId=" + device
          + "&since=" + cursor);
      if (itemCount(body) > PULL_LIMIT) {
        violations.add(name + ": page of " + itemCount(body) + " items");
      }
      seen.addAll(ids(body.getJsonArray("tasks")));
      cursor = body.getString("cursor");
      if (!body.getBoolean("hasMore")) {
        Set<String> missed = new HashSet<>(mustSee);
        missed.removeAll(seen);
        if (!missed.isEmpty()) {
          violations.add(name + " ended at " + cursor + " without " + missed.size() + " acknowledged changes, e.g. "
              + missed.iterator().next());
        }
        return cursor;
      }
    }
    throw new AssertionError("pull never finished");
  }

  /** Pages since with offset 0, 7, 14 … until hasMore is false; returns the ids seen. */
  private Set<String> offsetSequence(long since, String device, Set<String> acknowledged, List<String> violations,
      String name) {
    Set<String> mustSee = new HashSet<>(acknowledged);
    Set<String> seen = new HashSet<>();
    for (int offset = 0; offset < 1_000_000; offset += PULL_LIMIT) {
      JsonObject body = gateway.getOk(token, "/api/sync/pull?limit=" + PULL_LIMIT + "&deviceId=" + device
          + "&since=" + since + "&offset=" + offset);
      if (itemCount(body) > PULL_LIMIT) {
        violations.add(name + ": page of " + itemCount(body) + " items");
      }
      seen.addAll(ids(body.getJsonArray("tasks")));
      if (!body.getBoolean("hasMore")) {
        Set<String> missed = new HashSet<>(mustSee);
        missed.removeAll(seen);
        if (!missed.isEmpty()) {
          violations.add(name + " ended at offset " + offset + " without " + missed.size()
              + " acknowledged changes, e.g. " + missed.iterator().next());
        }
        return seen;
      }
    }
    throw new AssertionError("offset paging never finished");
  }

  // ---------------------------------------------------------------- no lost update

  @Test
  @DisplayName("no lost update: of racers each dominating the state they saw, exactly one applies, the rest conflict")
  void racingWritersOnOneGateway() {
    for (int round = 0; round < RACE_ROUNDS; round++) {
      race("race-" + round, List.of(gateway));
    }
  }

  @Test
  @DisplayName("no lost update across two gateways on one database: exactly one racer applies, the rest conflict")
  void racingWritersThroughTwoGateways() {
    for (int round = 0; round < RACE_ROUNDS; round++) {
      race("race2-" + round, List.of(gateway, other));
    }
  }

  /**
   * Creates a task with clock {a:1}, then RACERS devices push {a:1, racerN:1} at once (through the
   * given gateways in turn). Exactly one is applied; every other is a conflict against the winner's state.
   */
  private void race(String taskId, List<GatewayHarness> gateways) {
    String creator = uniqueId("dev-a");
    gateway.pushOk(token, batch(creator, "task", task(taskId, clock(creator, 1), "Original")));
    CyclicBarrier start = new CyclicBarrier(RACERS);
    List<CompletableFuture<JsonObject>> racers = new ArrayList<>();
    List<String> devices = new ArrayList<>();
    for (int r = 0; r < RACERS; r++) {
      String device = uniqueId("dev-racer" + r);
      devices.add(device);
      GatewayHarness via = gateways.get(r % gateways.size());
      JsonObject body = batch(device, "task", task(taskId, clock(creator, 1, device, 1), "By " + device));
      racers.add(CompletableFuture.supplyAsync(() -> {
        try {
          start.await(10, TimeUnit.SECONDS);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
        return via.pushOk(token, body);
      }, threads));
    }

    List<JsonObject> responses = racers.stream().map(CompletableFuture::join).toList();

    List<String> winners = new ArrayList<>();
    for (int r = 0; r < RACERS; r++) {
      JsonObject response = responses.get(r);
      if (response.getInteger("processed") == 1) {
        assertThat(response.getJsonArray("conflicts")).isEmpty();
        winners.add(devices.get(r));
      }
    }
    assertThat(winners).as("racers applied for %s", taskId).hasSize(1);
    String winner = winners.get(0);
    JsonObject winnerClock = clock(creator, 1, winner, 1);
    for (int r = 0; r < RACERS; r++) {
      if (devices.get(r).equals(winner)) {
        continue;
      }
      JsonObject response = responses.get(r);
      assertThat(response.getInteger("processed")).as("loser %s", response).isZero();
      assertThat(response.getJsonArray("superseded")).isEmpty();
      assertThat(response.getJsonArray("rejected")).isEmpty();
      assertThat(response.getJsonArray("conflicts")).hasSize(1);
      JsonObject conflict = response.getJsonArray("conflicts").getJsonObject(0);
      assertThat(conflict.getString("entityId")).isEqualTo(taskId);
      assertThat(conflict.getJsonObject("serverVectorClock")).isEqualTo(winnerClock);
      assertThat(conflict.getJsonObject("serverVersion").getString("title")).isEqualTo("By " + winner);
    }
    JsonObject stored = gateway.getOk(token, "/api/tasks/" + taskId);
    assertThat(stored.getString("title")).isEqualTo("By " + winner);
    assertThat(stored.getJsonObject("vectorClock")).isEqualTo(winnerClock);
    assertThat(stored.getLong("version")).isEqualTo(2);
    assertThat(stored.getString("lastModifiedDevice")).isEqualTo(winner);
  }

  // ---------------------------------------------------------------- two gateways

  @Test
  @DisplayName("two gateways: pushes through one are pulled through the other, both ways")
  void pushThroughOnePullThroughTheOther() {
    String devA = uniqueId("dev-a");
    String devB = uniqueId("dev-b");

    gateway.pushOk(token, batch(devA, "task", task("t1", clock(devA, 1), "Via one")));
    JsonObject pulledOnOther = other.pullAll(token, devB, 100);
    other.pushOk(token, batch(devB, "task", task("t2", clock(devB, 1), "Via other")));
    JsonObject pulledOnFirst = gateway.getOk(token, "/api/sync/pull?deviceId=" + devA
        + "&since=" + pulledOnOther.getString("cursor"));

    assertThat(ids(pulledOnOther.getJsonArray("tasks"))).containsExactly("t1");
    assertThat(pulledOnOther.getJsonArray("tasks").getJsonObject(0).getString("title")).isEqualTo("Via one");
    assertThat(ids(pulledOnFirst.getJsonArray("tasks"))).containsExactly("t2");
    assertThat(pulledOnFirst.getJsonObject("serverVectorClock")).as("the merge of the page's clocks")
        .isEqualTo(clock(devB, 1));
  }

  @Test
  @DisplayName("two gateways: feed positions interleave in commit order and a cursor from one works on the other")
  void feedPositionsInterleaveAcrossGateways() {
    String devA = uniqueId("dev-a");
    String devB = uniqueId("dev-b");
    List<String> pushOrder = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      boolean first = i % 2 == 0;
      String device = first ? devA : devB;
      String id = "t" + i;
      (first ? gateway : other).pushOk(token, batch(device, "task", task(id, clock(device, i + 1), "T" + i)));
      pushOrder.add(id);
    }

    List<String> pulled = new ArrayList<>();
    String cursor = "0";
    int page = 0;
    boolean hasMore = true;
    while (hasMore) {
      GatewayHarness via = page++ % 2 == 0 ? gateway : other;
      JsonObject body = via.getOk(token, "/api/sync/pull?limit=5&since=" + cursor);
      pulled.addAll(ids(body.getJsonArray("tasks")));
      cursor = body.getString("cursor");
      hasMore = body.getBoolean("hasMore");
    }

    assertThat(page).isEqualTo(3);
    assertThat(pulled).containsExactlyElementsOf(pushOrder);
    JsonObject nothingNew = other.getOk(token, "/api/sync/pull?since=" + cursor);
    assertThat(nothingNew.getJsonArray("tasks")).isEmpty();
    assertThat(nothingNew.getBoolean("hasMore")).isFalse();
  }

  @Test
  @DisplayName("two gateways: a batchId replayed through the other gateway returns the first response")
  void batchIdReplayedThroughTheOtherGateway() {
    String devA = uniqueId("dev-a");
    JsonObject body = batch(devA, "task", task("t1", clock(devA, 1), "Once")).put("batchId", "b-1");
    JsonObject first = gateway.pushOk(token, body);
    other.pushOk(token, batch(devA, "task", task("t1", clock(devA, 2), "Twice")));

    JsonObject replay = other.pushOk(token, body);

    assertThat(replay).isEqualTo(first);
    JsonObject stored = gateway.getOk(token, "/api/tasks/t1");
    assertThat(stored.getString("title")).isEqualTo("Twice");
    assertThat(stored.getLong("version")).isEqualTo(2);
    assertThat(other.pullAll(token, null, 100).getJsonArray("tasks")).hasSize(1);
  }

  // ---------------------------------------------------------------- helpers

  private static int itemCount(JsonObject page) {
    int count = 0;
    for (String array : new String[] {"tasks", "comments", "attachments", "tombstones"}) {
      count += page.getJsonArray(array).size();
    }
    return count;
  }

  private static List<String> ids(JsonArray entities) {
    List<String> ids = new ArrayList<>();
    entities.forEach(e -> ids.add(((JsonObject) e).getString("id")));
    return ids;
  }

  // ---------------------------------------------------------------- without an organization lock

  @Test
  @DisplayName("32 devices of one organization push through two gateways while pullers on both follow the cursor: no gaps")
  void thirtyTwoPushersTwoGatewaysNoGaps() {
    Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    List<String> violations = new CopyOnWriteArrayList<>();
    AtomicBoolean writing = new AtomicBoolean(true);
    List<CompletableFuture<Void>> pushers = new ArrayList<>();
    for (int p = 0; p < PUSHERS; p++) {
      GatewayHarness through = p % 2 == 0 ? gateway : other;
      String device = uniqueId("dev-p" + p);
      String prefix = "p" + p + "-";
      pushers.add(CompletableFuture.runAsync(() -> {
        for (int b = 0; b < BATCHES_PER_PUSHER; b++) {
          List<Object> items = new ArrayList<>();
          List<String> ids = new ArrayList<>();
          for (int i = 0; i < TASKS_PER_BATCH_OF_32; i++) {
            String id = prefix + b + "-" + i;
            ids.add(id);
            items.add("task");
            items.add(task(id, clock(device, b * TASKS_PER_BATCH_OF_32 + i + 1), "Task " + id));
          }
          assertThat(through.pushOk(token, batch(device, items.toArray())).getInteger("processed"))
              .isEqualTo(TASKS_PER_BATCH_OF_32);
          acknowledged.addAll(ids);
        }
      }, threads));
    }
    CompletableFuture<Void> allPushed = CompletableFuture.allOf(pushers.toArray(CompletableFuture[]::new));
    allPushed.whenComplete((done, error) -> writing.set(false));
    List<CompletableFuture<Set<String>>> pullers = new ArrayList<>();
    for (GatewayHarness through : List.of(gateway, other)) {
      String device = uniqueId("dev-puller");
      pullers.add(CompletableFuture.supplyAsync(() -> {
        Set<String> seen = new HashSet<>();
        String cursor = "0";
        do {
          cursor = followSequence(through, cursor, device, acknowledged, seen, violations, "sequence");
        } while (writing.get());
        followSequence(through, cursor, device, acknowledged, seen, violations, "final sequence");
        return seen;
      }, threads));
    }

    allPushed.join();
    assertThat(acknowledged).hasSize(PUSHERS * BATCHES_PER_PUSHER * TASKS_PER_BATCH_OF_32);
    for (CompletableFuture<Set<String>> puller : pullers) {
      assertThat(puller.join()).containsAll(acknowledged);
    }
    assertThat(violations).as("sequences that ended without a change acknowledged before they began").isEmpty();
  }

  @Test
  @DisplayName("no lost update: 16 devices updating one task through two gateways, each over the state it read")
  void readModifyWriteRacesLoseNothing() {
    String seedDevice = uniqueId("dev-seed");
    gateway.pushOk(token, batch(seedDevice, "task", task("shared", clock(seedDevice, 1), "v0")));
    AtomicInteger applied = new AtomicInteger();
    List<CompletableFuture<Void>> writers = new ArrayList<>();
    for (int w = 0; w < 16; w++) {
      GatewayHarness through = w % 2 == 0 ? gateway : other;
      String device = uniqueId("dev-w" + w);
      writers.add(CompletableFuture.runAsync(() -> {
        for (int round = 1; round <= 5; round++) {
          JsonObject current = through.getOk(token, "/api/tasks/shared");
          JsonObject next = current.getJsonObject("vectorClock").copy().put(device, round);
          JsonObject response = through.pushOk(token, batch(device, "task", task("shared", next, device + "#" + round)));
          applied.addAndGet(response.getInteger("processed"));
        }
      }, threads));
    }
    CompletableFuture.allOf(writers.toArray(CompletableFuture[]::new)).join();

    JsonObject last = gateway.getOk(token, "/api/tasks/shared");
    assertThat(applied.get()).as("some updates applied").isPositive();
    assertThat(last.getLong("version")).as("every applied update counted once: none overwrote another unseen")
        .isEqualTo(1L + applied.get());
  }

  @Test
  @DisplayName("a transaction left running holds pulls back: they wait for it, then return everything, never skip")
  void longRunningTransactionHoldsTheFeedBack() throws Exception {
    String devA = uniqueId("dev-a");
    try (Connection blocker = DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password())) {
      blocker.setAutoCommit(false);
      try (Statement statement = blocker.createStatement()) {
        statement.execute("SELECT pg_current_xact_id()"); // holds a transaction id below every later push
      }
      gateway.pushOk(token, batch(devA, "task", task("t1", clock(devA, 1), "Committed behind the blocker")));

      long started = System.nanoTime();
      CompletableFuture<JsonObject> pull = CompletableFuture.supplyAsync(
          () -> other.getOk(token, "/api/sync/pull?since=0"), threads);
      Thread.sleep(1_000);
      assertThat(pull).as("the pull waits while the older transaction runs").isNotDone();
      blocker.commit();

      JsonObject page = pull.get(10, TimeUnit.SECONDS);
      assertThat(System.nanoTime() - started).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(1_000));
      assertThat(page.getJsonArray("tasks").stream().map(t -> ((JsonObject) t).getString("id"))).containsExactly("t1");
      assertThat(page.getBoolean("hasMore")).isFalse();
    }
  }

  @Test
  @DisplayName("a transaction running longer than the wait: the pull answers hasMore true, never an end without the change")
  void holdBackBeyondTheWaitKeepsHasMore() throws Exception {
    String devA = uniqueId("dev-a");
    try (Connection blocker = DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password())) {
      blocker.setAutoCommit(false);
      try (Statement statement = blocker.createStatement()) {
        statement.execute("SELECT pg_current_xact_id()");
      }
      gateway.pushOk(token, batch(devA, "task", task("t1", clock(devA, 1), "Held back")));

      JsonObject held = gateway.getOk(token, "/api/sync/pull?since=0");
      assertThat(held.getJsonArray("tasks")).isEmpty();
      assertThat(held.getBoolean("hasMore")).as("the sequence is not over while a change is held back").isTrue();
      blocker.commit();

      JsonObject next = gateway.getOk(token, "/api/sync/pull?since=" + held.getString("cursor"));
      assertThat(next.getJsonArray("tasks").stream().map(t -> ((JsonObject) t).getString("id"))).containsExactly("t1");
      assertThat(next.getBoolean("hasMore")).isFalse();
    }
  }

  @Test
  @DisplayName("a genuine cursor beyond the end of the feed (e.g. after a restore from backup) is 410; for another organization 400")
  void cursorBeyondTheEndIsResyncRequired() {
    Vertx vertx = Vertx.vertx();
    try {
      Pool pool = PgBuilder.pool().connectingTo(database.connectOptions()).using(vertx).build();
      CursorSigner signer = CursorSigner.load(pool).await();
      long now = System.currentTimeMillis();
      FeedCursor farAhead = new FeedCursor(1_000_000_000_000L, 1, now, now);

      var beyond = gateway.get(token, "/api/sync/pull?since=" + farAhead.encode(signer, org));
      var foreign = gateway.get(token, "/api/sync/pull?since=" + farAhead.encode(signer, "another-" + org));

      assertThat(beyond.statusCode()).isEqualTo(410);
      assertThat(beyond.bodyAsJsonObject().getString("code")).isEqualTo("resync_required");
      assertThat(foreign.statusCode()).isEqualTo(400);
      assertThat(foreign.bodyAsJsonObject().getString("code")).isEqualTo("invalid_cursor");
    } finally {
      vertx.close().await();
    }
  }

  @Test
  @DisplayName("a flood of distinct clock keys leaves later responses small: nothing per organization grows with them")
  void clockKeyFloodLeavesResponsesBounded() {
    String flooder = uniqueId("dev-flood");
    for (int b = 0; b < 4; b++) {
      List<Object> items = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        JsonObject manyKeys = new JsonObject();
        for (int k = 0; k < 256; k++) {
          manyKeys.put("k-" + b + "-" + i + "-" + k, 1);
        }
        items.add("task");
        items.add(task("flood-" + b + "-" + i, manyKeys, "Flood"));
      }
      gateway.pushOk(token, batch(flooder, items.toArray()));
    }
    String devA = uniqueId("dev-a");

    JsonObject push = gateway.pushOk(token, batch(devA, "task", task("small", clock(devA, 1), "Small")));
    JsonObject page = gateway.getOk(token, "/api/sync/pull?limit=2&since="
        + gateway.getOk(token, "/api/sync/pull?limit=1000&since=0").getString("cursor"));

    assertThat(push.getJsonObject("serverVectorClock")).isEqualTo(clock(devA, 1));
    assertThat(push.encode().length()).isLessThan(1_000);
    assertThat(page.getJsonObject("serverVectorClock").size()).isLessThanOrEqualTo(2 * 256);
    JsonArray tasks = gateway.getOk(token, "/api/sync/pull?limit=3&since=0").getJsonArray("tasks");
    assertThat(tasks).hasSize(3);
  }
}
