package io.syncgateway.sync;

import static io.syncgateway.testsupport.Changes.batch;
import static io.syncgateway.testsupport.Changes.clock;
import static io.syncgateway.testsupport.Changes.task;
import static io.syncgateway.testsupport.Changes.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;

import io.syncgateway.config.Setting;
import io.syncgateway.persistence.CursorSigner;
import io.syncgateway.persistence.FeedCursor;
import io.syncgateway.persistence.db.PgUrl;
import io.syncgateway.testsupport.GatewayHarness;
import io.syncgateway.testsupport.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.core.json.JsonObject;
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

/**
 * The feed without an organization lock: pushes of one organization commit in parallel, through two
 * gateway processes, and pullers still miss nothing; a transaction left running holds pulls back but
 * never makes them skip; nothing per organization grows with the clock keys ever pushed.
 */
@DisplayName("Lock-free feed: parallel pushes of one organization, no gaps, no lost updates, bounded clocks")
class LockFreeFeedTest {
  private static final int PUSHERS = 32;
  private static final int BATCHES_PER_PUSHER = 4;
  private static final int TASKS_PER_BATCH = 5;
  private static final long HOLDBACK_WAIT_MS = 4_000;

  private static PgUrl database;
  private static GatewayHarness gateway;
  private static GatewayHarness other;
  private static ExecutorService threads;
  private String org;
  private String token;

  @BeforeAll
  static void startGateways() {
    database = TestDatabase.freshDatabase("lock_free_feed");
    gateway = GatewayHarness.start(database, Map.of(Setting.PULL_HOLDBACK_WAIT_MS, HOLDBACK_WAIT_MS));
    other = GatewayHarness.start(database, Map.of(Setting.PULL_HOLDBACK_WAIT_MS, HOLDBACK_WAIT_MS));
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
          for (int i = 0; i < TASKS_PER_BATCH; i++) {
            String id = prefix + b + "-" + i;
            ids.add(id);
            items.add("task");
            items.add(task(id, clock(device, b * TASKS_PER_BATCH + i + 1), "Task " + id));
          }
          assertThat(through.pushOk(token, batch(device, items.toArray())).getInteger("processed"))
              .isEqualTo(TASKS_PER_BATCH);
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
          cursor = followSequence(through, cursor, device, acknowledged, seen, violations);
        } while (writing.get());
        followSequence(through, cursor, device, acknowledged, seen, violations);
        return seen;
      }, threads));
    }

    allPushed.join();
    assertThat(acknowledged).hasSize(PUSHERS * BATCHES_PER_PUSHER * TASKS_PER_BATCH);
    for (CompletableFuture<Set<String>> puller : pullers) {
      assertThat(puller.join()).containsAll(acknowledged);
    }
    assertThat(violations).as("sequences that ended without a change acknowledged before they began").isEmpty();
  }

  /** Follows the cursor until hasMore is false; every change acknowledged before the start must be seen. */
  private String followSequence(GatewayHarness through, String cursor, String device, Set<String> acknowledged,
      Set<String> seen, List<String> violations) {
    Set<String> mustSee = new HashSet<>(acknowledged);
    JsonObject page;
    do {
      page = through.getOk(token, "/api/sync/pull?limit=50&deviceId=" + device + "&since=" + cursor);
      page.getJsonArray("tasks").forEach(t -> seen.add(((JsonObject) t).getString("id")));
      cursor = page.getString("cursor");
    } while (page.getBoolean("hasMore"));
    mustSee.removeAll(seen);
    if (!mustSee.isEmpty()) {
      violations.add("a sequence ended without " + mustSee.size() + " changes, e.g. " + mustSee.iterator().next());
    }
    return cursor;
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
