package io.syncgateway.client.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.syncgateway.client.SyncEvent;
import io.syncgateway.client.conflict.Resolution;
import io.syncgateway.client.store.EntityStatus;
import io.syncgateway.client.store.InMemoryLocalStore;
import io.syncgateway.client.store.LocalEntity;
import io.syncgateway.client.store.QueueState;
import io.syncgateway.clock.VectorClock;
import io.syncgateway.entity.EntityType;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Applying server states to the local store")
class RemoteChangesTest {
  private final InMemoryLocalStore store = new InMemoryLocalStore();
  private final SyncQueue queue = new SyncQueue(store, 5, 1000, 60_000);
  private final LocalChanges changes = new LocalChanges(store, queue, new DeviceClock(store, "me"));
  private final RemoteChanges remote = new RemoteChanges(store, queue);
  private final List<SyncEvent> events = new ArrayList<>();

  private static RemoteChanges.RemoteState state(String id, JsonObject fields, Map<String, Long> clock) {
    return new RemoteChanges.RemoteState(EntityType.TASK, id, fields, VectorClock.of(clock), false,
        new JsonObject().put("updatedAt", 5));
  }

  @Test
  @DisplayName("a state after the local one replaces it and takes its queued change along")
  void newerRemoteSupersedesQueuedChange() {
    changes.create(EntityType.TASK, "t1", new JsonObject().put("title", "mine"), 1);
    remote.apply(state("t1", new JsonObject().put("title", "theirs"), Map.of("me", 1L, "other", 1L)), 2, events);

    assertThat(store.entity(EntityType.TASK, "t1")).hasValueSatisfying(e -> {
      assertThat(e.fields().getString("title")).isEqualTo("theirs");
      assertThat(e.status()).isEqualTo(EntityStatus.SYNCED);
    });
    assertThat(queue.pendingItems()).isEmpty();
    assertThat(events).extracting(SyncEvent::type).containsExactly(SyncEvent.Type.ITEM_SUPERSEDED);
  }

  @Test
  @DisplayName("an older state is ignored")
  void olderRemoteIgnored() {
    remote.apply(state("t1", new JsonObject().put("title", "v2"), Map.of("other", 2L)), 1, events);
    remote.apply(state("t1", new JsonObject().put("title", "v1"), Map.of("other", 1L)), 2, events);
    assertThat(store.entity(EntityType.TASK, "t1").orElseThrow().fields().getString("title")).isEqualTo("v2");
  }

  @Test
  @DisplayName("a concurrent state becomes a conflict holding both versions; the local state stays and leaves the queue")
  void concurrentBecomesConflict() {
    remote.apply(state("t1", new JsonObject().put("title", "base"), Map.of("other", 1L)), 1, events);
    LocalEntity mine = changes.update(EntityType.TASK, "t1", new JsonObject().put("status", "done"), 2);
    remote.apply(state("t1", new JsonObject().put("title", "renamed"), Map.of("other", 2L)), 3, events);

    assertThat(store.conflicts()).singleElement().satisfies(c -> {
      assertThat(c.local().clock()).isEqualTo(mine.clock());
      assertThat(c.local().fields().getString("status")).isEqualTo("done");
      assertThat(c.remote().fields().getString("title")).isEqualTo("renamed");
      assertThat(c.base().getString("title")).isEqualTo("base");
    });
    assertThat(store.entity(EntityType.TASK, "t1").orElseThrow().status()).isEqualTo(EntityStatus.CONFLICT);
    assertThat(queue.pendingItems()).isEmpty();
    assertThat(events).extracting(SyncEvent::type).containsExactly(SyncEvent.Type.CONFLICT_ADDED);
  }

  @Test
  @DisplayName("resolving a conflict queues a state whose clock dominates both versions")
  void resolutionDominates() {
    remote.apply(state("t1", new JsonObject().put("title", "base"), Map.of("other", 1L)), 1, events);
    changes.update(EntityType.TASK, "t1", new JsonObject().put("status", "done"), 2);
    remote.apply(state("t1", new JsonObject().put("title", "renamed"), Map.of("other", 2L)), 3, events);

    LocalEntity resolved = new ConflictResolutions(store, changes).resolve(EntityType.TASK, "t1",
        Resolution.of(new JsonObject().put("title", "renamed").put("status", "done")),
        4, events);

    assertThat(resolved.clock().get("other")).isEqualTo(2);
    assertThat(resolved.clock().get("me")).isEqualTo(2);
    assertThat(store.conflicts()).isEmpty();
    assertThat(queue.pendingItems()).singleElement().extracting(i -> i.clock()).isEqualTo(resolved.clock());
  }

  @Test
  @DisplayName("a task tombstone deletes the task's children and moves their pending changes to the failed queue")
  void tombstoneCascades() {
    remote.apply(state("t1", new JsonObject().put("title", "task"), Map.of("other", 1L)), 1, events);
    changes.create(EntityType.COMMENT, "c1", new JsonObject().put("taskId", "t1").put("content", "hi"), 2);
    remote.apply(new RemoteChanges.RemoteState(EntityType.TASK, "t1", new JsonObject(),
        VectorClock.of(Map.of("other", 2L)), true, new JsonObject()), 3, events);

    assertThat(store.entity(EntityType.TASK, "t1").orElseThrow().deleted()).isTrue();
    assertThat(store.entity(EntityType.COMMENT, "c1").orElseThrow().deleted()).isTrue();
    assertThat(store.queueItems()).singleElement().satisfies(item -> {
      assertThat(item.state()).isEqualTo(QueueState.FAILED);
      assertThat(item.lastError()).startsWith("missing_parent");
    });
  }
}
