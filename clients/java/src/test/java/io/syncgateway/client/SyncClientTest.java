package io.syncgateway.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.syncgateway.client.conflict.Resolvers;
import io.syncgateway.client.live.LiveUpdates;
import io.syncgateway.client.store.Conflict;
import io.syncgateway.client.store.EntityStatus;
import io.syncgateway.client.store.LocalEntity;
import io.syncgateway.client.store.LocalStore;
import io.syncgateway.client.store.QueueItem;
import io.syncgateway.client.store.SqliteLocalStore;
import io.syncgateway.clock.ClockRelation;
import io.syncgateway.entity.EntityType;
import io.syncgateway.testsupport.Changes;
import io.syncgateway.testsupport.Eventually;
import io.syncgateway.testsupport.GatewayHarness;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("SyncClient against a real gateway, with SQLite stores")
class SyncClientTest {
  private GatewayHarness gateway;
  private Vertx vertx;

  @TempDir
  Path dir;

  @BeforeAll
  void start() {
    gateway = GatewayHarness.start("client");
    vertx = Vertx.vertx();
  }

  @AfterAll
  void stop() {
    vertx.close().await();
    gateway.close();
  }

  private SyncClient open(Path file, String user, String org) {
    SyncClientOptions options = SyncClientOptions.of("http://127.0.0.1:" + gateway.gateway().httpPort(),
        gateway.token(user, org));
    return SyncClient.open(vertx, SqliteLocalStore.open(file), options).await();
  }

  private static JsonObject task(String title) {
    return new JsonObject().put("title", title);
  }

  @Test
  @DisplayName("a restarted device keeps its id, unsynced change and conflict, then resolves and converges")
  void restartKeepsEverything() {
    String org = Changes.uniqueId("org");
    Path fileA = dir.resolve("a.db");
    SyncClient a = open(fileA, "u1", org);
    SyncClient b = open(dir.resolve("b.db"), "u1", org);
    String id = a.create(EntityType.TASK, task("Buy milk")).await().id();
    assertThat(a.syncNow().await().pushed()).isEqualTo(1);
    assertThat(b.syncNow().await().pulled()).isEqualTo(1);

    b.update(EntityType.TASK, id, new JsonObject().put("status", "done")).await();
    b.syncNow().await();
    a.update(EntityType.TASK, id, new JsonObject().put("title", "Buy oat milk")).await();
    SyncResult clash = a.syncNow().await();
    assertThat(clash.conflicts()).isEqualTo(1);
    a.create(EntityType.TASK, task("Call mum")).await();
    String deviceId = a.deviceId();
    a.close();

    SyncClient restarted = open(fileA, "u1", org);
    assertThat(restarted.deviceId()).isEqualTo(deviceId);
    assertThat(restarted.pendingItems().await()).hasSize(1);
    assertThat(restarted.conflicts().await()).singleElement().satisfies(c -> {
      assertThat(c.local().fields().getString("title")).isEqualTo("Buy oat milk");
      assertThat(c.remote().fields().getString("status")).isEqualTo("done");
      assertThat(c.remote().clock().relationTo(c.local().clock())).isEqualTo(ClockRelation.CONCURRENT);
    });

    LocalEntity resolved = restarted.resolve(EntityType.TASK, id, Resolvers.fieldMerge(Resolvers.keepRemote()))
        .await();
    assertThat(resolved.fields().getString("title")).isEqualTo("Buy oat milk");
    assertThat(resolved.fields().getString("status")).isEqualTo("done");
    assertThat(restarted.syncNow().await().pushed()).isEqualTo(2);
    b.syncNow().await();

    assertThat(b.get(EntityType.TASK, id).await()).hasValueSatisfying(e -> {
      assertThat(e.checksum()).isEqualTo(resolved.checksum());
      assertThat(e.status()).isEqualTo(EntityStatus.SYNCED);
    });
    assertThat(b.list(EntityType.TASK).await()).hasSize(2);
    restarted.close();
    b.close();
  }

  @Test
  @DisplayName("a conflict event carries both clocks as typed values and JSON; no event or conflict text shows VectorClock{…}")
  void conflictDetailsAreTyped() {
    String org = Changes.uniqueId("org");
    SyncClient a = open(dir.resolve("typed-a.db"), "u1", org);
    SyncClient b = open(dir.resolve("typed-b.db"), "u1", org);
    List<SyncEvent> events = new CopyOnWriteArrayList<>();
    a.onEvent(events::add);
    String id = a.create(EntityType.TASK, task("Buy milk")).await().id();
    a.syncNow().await();
    b.syncNow().await();
    b.update(EntityType.TASK, id, new JsonObject().put("status", "done")).await();
    b.syncNow().await();
    a.update(EntityType.TASK, id, new JsonObject().put("title", "Buy oat milk")).await();
    a.syncNow().await();

    Conflict conflict = a.conflicts().await().get(0);
    SyncEvent added = events.stream().filter(e -> e.type() == SyncEvent.Type.CONFLICT_ADDED).findFirst().orElseThrow();
    assertThat(added.clock()).isEqualTo(conflict.local().clock());
    assertThat(added.remoteClock()).isEqualTo(conflict.remote().clock());
    assertThat(added.remoteClock().asMap()).containsEntry(b.deviceId(), 1L);
    assertThat(added.toJson().getJsonObject("remoteVectorClock")).isEqualTo(conflict.remote().clock().toJson());
    assertThat(added.detail()).contains(conflict.remote().clock().toJson().encode());
    assertThat(events).allSatisfy(event -> assertThat(event.toString() + event.detail())
        .doesNotContain("VectorClock{"));
    assertThat(conflict.toString()).doesNotContain("VectorClock{")
        .contains(conflict.local().clock().toJson().encode());
    a.close();
    b.close();
  }

  @Test
  @DisplayName("a change the server refuses lands in the failed queue with the reason and can be requeued")
  void refusedChangeIsKept() {
    String org = Changes.uniqueId("org");
    SyncClient author = open(dir.resolve("author.db"), "u1", org);
    SyncClient other = open(dir.resolve("other.db"), "u2", org);
    List<SyncEvent> failures = new CopyOnWriteArrayList<>();
    other.onEvent(e -> {
      if (e.type() == SyncEvent.Type.ITEM_FAILED) {
        failures.add(e);
      }
    });
    String taskId = author.create(EntityType.TASK, task("Plan trip")).await().id();
    String commentId = author.create(EntityType.COMMENT, new JsonObject().put("taskId", taskId)
        .put("content", "book flights")).await().id();
    author.syncNow().await();
    other.syncNow().await();

    other.update(EntityType.COMMENT, commentId, new JsonObject().put("content", "book trains")).await();
    other.syncNow().await();

    assertThat(other.failedItems().await()).singleElement().satisfies(item -> {
      assertThat(item.entityId()).isEqualTo(commentId);
      assertThat(item.lastError()).startsWith("forbidden");
    });
    assertThat(failures).singleElement().extracting(SyncEvent::entityId).isEqualTo(commentId);
    assertThat(other.get(EntityType.COMMENT, commentId).await()).hasValueSatisfying(
        c -> assertThat(c.status()).isEqualTo(EntityStatus.FAILED));

    long seq = other.failedItems().await().get(0).seq();
    assertThat(other.requeue(seq).await()).isTrue();
    assertThat(other.pendingItems().await()).hasSize(1);
    author.close();
    other.close();
  }

  @Test
  @DisplayName("a refused change edited after it failed waits until retried, then goes out with the edit")
  void refusedChangeEditedAndRetried() {
    String org = Changes.uniqueId("org");
    SyncClient client = open(dir.resolve("retry.db"), "u1", org);
    SyncClient other = open(dir.resolve("retry-other.db"), "u1", org);
    String id = client.create(EntityType.TASK, task("x".repeat(501))).await().id();
    client.syncNow().await();
    assertThat(client.failedItems().await()).singleElement().extracting(QueueItem::lastError).asString()
        .startsWith("validation");

    LocalEntity edited = client.update(EntityType.TASK, id, task("Short enough")).await();
    assertThat(edited.status()).isEqualTo(EntityStatus.FAILED);
    assertThat(client.syncNow().await().pushed()).as("the edit waits for the retry").isZero();

    client.retry(EntityType.TASK, id).await();
    assertThat(client.syncNow().await().pushed()).isEqualTo(1);
    assertThat(client.failedItems().await()).isEmpty();
    assertThat(client.get(EntityType.TASK, id).await()).hasValueSatisfying(
        task -> assertThat(task.status()).isEqualTo(EntityStatus.SYNCED));
    other.syncNow().await();
    assertThat(other.get(EntityType.TASK, id).await()).hasValueSatisfying(
        task -> assertThat(task.fields().getString("title")).isEqualTo("Short enough"));
    client.close();
    other.close();
  }

  @Test
  @DisplayName("discarding a refused change puts the server's state back, or removes what the server never had")
  void refusedChangeDiscarded() {
    String org = Changes.uniqueId("org");
    SyncClient author = open(dir.resolve("discard-author.db"), "u1", org);
    SyncClient other = open(dir.resolve("discard-other.db"), "u2", org);
    List<SyncEvent> discarded = new CopyOnWriteArrayList<>();
    other.onEvent(e -> {
      if (e.type() == SyncEvent.Type.ITEM_DISCARDED) {
        discarded.add(e);
      }
    });
    String taskId = author.create(EntityType.TASK, task("Plan trip")).await().id();
    String commentId = author.create(EntityType.COMMENT, new JsonObject().put("taskId", taskId)
        .put("content", "book flights")).await().id();
    author.syncNow().await();
    other.syncNow().await();
    other.update(EntityType.COMMENT, commentId, new JsonObject().put("content", "book trains")).await();
    String refusedTask = other.create(EntityType.TASK, task("y".repeat(501))).await().id();
    other.syncNow().await();
    assertThat(other.failedItems().await()).hasSize(2);

    assertThat(other.discard(EntityType.COMMENT, commentId).await()).hasValueSatisfying(comment -> {
      assertThat(comment.fields().getString("content")).isEqualTo("book flights");
      assertThat(comment.status()).isEqualTo(EntityStatus.SYNCED);
    });
    assertThat(other.discard(EntityType.TASK, refusedTask).await()).isEmpty();

    assertThat(other.get(EntityType.TASK, refusedTask).await()).isEmpty();
    assertThat(other.failedItems().await()).isEmpty();
    assertThat(other.pendingItems().await()).isEmpty();
    assertThat(discarded).extracting(SyncEvent::entityId).containsExactly(commentId, refusedTask);
    assertThat(other.syncNow().await().succeeded()).isTrue();
    assertThat(other.get(EntityType.COMMENT, commentId).await()).hasValueSatisfying(
        comment -> assertThat(comment.fields().getString("content")).isEqualTo("book flights"));
    author.close();
    other.close();
  }

  @ParameterizedTest(name = "stored cursor {0}")
  @ValueSource(strings = {"1", "c1_2_3_4"})
  @DisplayName("a stored cursor the gateway refuses (410: expired; 400 invalid_cursor: unsigned, from before v1.1) triggers a full resync that keeps unsynced local changes")
  void refusedCursorResyncsKeepingLocalChanges(String storedCursor) {
    String org = Changes.uniqueId("org");
    Path file = dir.resolve(Changes.uniqueId("stale") + ".db");
    SyncClient writer = open(dir.resolve(Changes.uniqueId("writer") + ".db"), "u1", org);
    SyncClient stale = open(file, "u1", org);
    List<SyncEvent> events = new CopyOnWriteArrayList<>();
    stale.onEvent(events::add);
    writer.create(EntityType.TASK, task("Remote one")).await();
    writer.syncNow().await();
    stale.syncNow().await();
    stale.create(EntityType.TASK, task("Offline draft")).await();
    stale.close();

    try (LocalStore store = SqliteLocalStore.open(file)) {
      store.transaction(() -> {
        store.putMeta("cursor", storedCursor);
        return null;
      });
    }
    SyncClient reopened = open(file, "u1", org);
    reopened.onEvent(events::add);
    SyncResult result = reopened.syncNow().await();

    assertThat(result.succeeded()).as(String.valueOf(result.error())).isTrue();
    assertThat(events).extracting(SyncEvent::type).contains(SyncEvent.Type.FULL_RESYNC);
    assertThat(reopened.list(EntityType.TASK).await()).extracting(e -> e.fields().getString("title"))
        .containsExactlyInAnyOrder("Remote one", "Offline draft");
    assertThat(reopened.pendingItems().await()).isEmpty();
    assertThat(reopened.retentionDeadline().await()).isGreaterThan(System.currentTimeMillis());
    writer.close();
    reopened.close();
  }

  @Test
  @DisplayName("live: a change made on one device appears on another within a second, with no timer-driven sync")
  void liveChangeArrivesWithoutPolling() throws Exception {
    String org = Changes.uniqueId("org");
    SyncClientOptions noPolling = SyncClientOptions.of("http://127.0.0.1:" + gateway.gateway().httpPort(),
        gateway.token("u1", org)).withTriggers(3_600_000, 3_600_000);
    SyncClient writer = SyncClient.open(vertx, SqliteLocalStore.open(dir.resolve("live-writer.db")), noPolling).await();
    SyncClient reader = SyncClient.open(vertx, SqliteLocalStore.open(dir.resolve("live-reader.db")), noPolling).await();
    CompletableFuture<Long> seen = new CompletableFuture<>();
    reader.onChange((type, ids) -> seen.complete(System.nanoTime()));
    reader.start();
    for (int i = 0; i < 100 && reader.liveUpdatesState() != LiveUpdates.State.CONNECTED; i++) {
      Thread.sleep(50);
    }
    assertThat(reader.liveUpdatesState()).isEqualTo(LiveUpdates.State.CONNECTED);

    writer.create(EntityType.TASK, task("Live one")).await();
    writer.syncNow().await();
    long pushed = System.nanoTime();

    long arrived = seen.get(5, TimeUnit.SECONDS);
    assertThat(TimeUnit.NANOSECONDS.toMillis(arrived - pushed)).as("ms from the push to the other device")
        .isLessThan(1_000);
    assertThat(reader.list(EntityType.TASK).await()).extracting(e -> e.fields().getString("title"))
        .containsExactly("Live one");
    writer.close();
    reader.close();
  }

  @Test
  @DisplayName("once started, a local change syncs by itself after the debounce delay")
  void debouncedTrigger() {
    String org = Changes.uniqueId("org");
    SyncClientOptions options = SyncClientOptions.of("http://127.0.0.1:" + gateway.gateway().httpPort(),
        gateway.token("u1", org)).withTriggers(600_000, 100);
    SyncClient client = SyncClient.open(vertx, SqliteLocalStore.open(dir.resolve("auto.db")), options).await();
    List<SyncEvent> succeeded = new CopyOnWriteArrayList<>();
    client.onEvent(e -> {
      if (e.type() == SyncEvent.Type.SYNC_SUCCEEDED) {
        succeeded.add(e);
      }
    });
    client.start();
    Eventually.until(() -> !succeeded.isEmpty());
    client.create(EntityType.TASK, task("By itself")).await();
    Eventually.until(() -> client.monitor().results().stream().anyMatch(r -> r.pushed() == 1));
    assertThat(client.pendingItems().await()).isEmpty();
    client.close();
  }

  @Test
  @DisplayName("once started, resolving every conflict at once syncs the resolutions by itself after the debounce delay")
  void resolveAllTriggersSync() {
    String org = Changes.uniqueId("org");
    SyncClientOptions options = SyncClientOptions.of("http://127.0.0.1:" + gateway.gateway().httpPort(),
        gateway.token("u1", org)).withTriggers(600_000, 100);
    SyncClient a = SyncClient.open(vertx, SqliteLocalStore.open(dir.resolve("resolve-all-a.db")), options).await();
    SyncClient b = open(dir.resolve("resolve-all-b.db"), "u1", org);
    String id = a.create(EntityType.TASK, task("Buy milk")).await().id();
    a.syncNow().await();
    b.syncNow().await();
    b.update(EntityType.TASK, id, new JsonObject().put("status", "done")).await();
    b.syncNow().await();
    a.update(EntityType.TASK, id, new JsonObject().put("title", "Buy oat milk")).await();
    assertThat(a.syncNow().await().conflicts()).isEqualTo(1);
    a.start();
    Eventually.until(() -> a.monitor().results().size() >= 3);
    int before = a.monitor().results().size();

    assertThat(a.resolveAll(Resolvers.fieldMerge(Resolvers.keepRemote())).await()).isEqualTo(1);

    Eventually.until(() -> a.monitor().results().stream().skip(before).anyMatch(r -> r.pushed() == 1));
    assertThat(a.pendingItems().await()).isEmpty();
    a.close();
    b.close();
  }

  @Test
  @DisplayName("the client warns when little of the server's retention period is left")
  void warnsNearRetention() {
    String org = Changes.uniqueId("org");
    ManualScheduler time = new ManualScheduler(System.currentTimeMillis());
    SyncClientOptions options = SyncClientOptions.of("http://127.0.0.1:" + gateway.gateway().httpPort(),
        gateway.token("u1", org));
    SyncClient client = SyncClient.open(vertx, SqliteLocalStore.open(dir.resolve("late.db")), options, time)
        .await();
    List<SyncEvent> warnings = new CopyOnWriteArrayList<>();
    client.onEvent(e -> {
      if (e.type() == SyncEvent.Type.RETENTION_NEAR) {
        warnings.add(e);
      }
    });
    client.syncNow().await();
    long deadline = client.retentionDeadline().await();
    client.syncNow().await();
    assertThat(warnings).isEmpty();

    time.advance((deadline - time.now()) * 9 / 10);
    client.syncNow().await();
    assertThat(warnings).hasSize(1);
    client.close();
  }

  @Test
  @DisplayName("onChange reports, per type, the ids of the remote changes a pull applied, deletions included, and not local writes")
  void onChangeReportsAppliedRemoteChanges() {
    String org = Changes.uniqueId("org");
    SyncClient writer = open(dir.resolve("writer.db"), "u1", org);
    SyncClient reader = open(dir.resolve("reader.db"), "u1", org);
    Map<EntityType, Set<String>> reported = new ConcurrentHashMap<>();
    reader.onChange((type, ids) -> reported.merge(type, ids, (a, b) -> Stream.concat(a.stream(), b.stream())
        .collect(Collectors.toSet())));
    String taskId = writer.create(EntityType.TASK, task("Water plants")).await().id();
    String commentId = writer.create(EntityType.COMMENT, new JsonObject().put("taskId", taskId)
        .put("content", "twice a week")).await().id();
    writer.syncNow().await();
    reader.create(EntityType.TASK, task("Local only")).await();

    reader.syncNow().await();
    assertThat(reported).containsOnly(Map.entry(EntityType.TASK, Set.of(taskId)),
        Map.entry(EntityType.COMMENT, Set.of(commentId)));

    reported.clear();
    writer.delete(EntityType.COMMENT, commentId).await();
    writer.syncNow().await();
    reader.syncNow().await();
    assertThat(reported).containsOnly(Map.entry(EntityType.COMMENT, Set.of(commentId)));

    reported.clear();
    reader.syncNow().await();
    assertThat(reported).as("nothing new: no call").isEmpty();
    writer.close();
    reader.close();
  }

  @Test
  @DisplayName("a task's comments can be prefetched for offline reading")
  void prefetchComments() {
    String org = Changes.uniqueId("org");
    SyncClient writer = open(dir.resolve("w.db"), "u1", org);
    SyncClient reader = open(dir.resolve("r.db"), "u1", org);
    String taskId = writer.create(EntityType.TASK, task("Read me")).await().id();
    writer.create(EntityType.COMMENT, new JsonObject().put("taskId", taskId).put("content", "one")).await();
    writer.create(EntityType.COMMENT, new JsonObject().put("taskId", taskId).put("content", "two")).await();
    writer.syncNow().await();

    assertThat(reader.prefetchComments(taskId).await()).isEqualTo(2);
    assertThat(reader.list(EntityType.COMMENT).await()).extracting(e -> e.fields().getString("content"))
        .containsExactlyInAnyOrder("one", "two");
    writer.close();
    reader.close();
  }
}
