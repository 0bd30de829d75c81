package io.syncgateway.client.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.syncgateway.entity.Operation;
import io.syncgateway.client.sync.SyncQueue;
import io.syncgateway.clock.VectorClock;
import io.syncgateway.entity.EntityType;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

@DisplayName("Local stores: transactions and restart durability")
class LocalStoreTest {
  @TempDir
  static Path dir;

  private static final LocalEntity TASK = new LocalEntity(EntityType.TASK, "t1",
      new JsonObject().put("title", "Buy milk").putNull("description"), VectorClock.of(Map.of("d1", 3L)), false,
      EntityStatus.PENDING, new JsonObject().put("title", "milk"), new JsonObject().put("version", 2), 42);

  static Stream<Supplier<LocalStore>> stores() {
    return Stream.of(InMemoryLocalStore::new, () -> SqliteLocalStore.open(dir.resolve("tx-" + System.nanoTime())));
  }

  @ParameterizedTest
  @MethodSource("stores")
  @DisplayName("a transaction that throws leaves nothing behind")
  void rollback(Supplier<LocalStore> factory) {
    try (LocalStore store = factory.get()) {
      store.transaction(() -> {
        store.putMeta("cursor", "c1");
        return null;
      });
      assertThatThrownBy(() -> store.transaction(() -> {
        store.putEntity(TASK);
        store.putMeta("cursor", "c2");
        throw new IllegalStateException("crash in the middle");
      })).hasMessage("crash in the middle");
      assertThat(store.entity(EntityType.TASK, "t1")).isEmpty();
      assertThat(store.meta("cursor")).contains("c1");
    }
  }

  @Test
  @DisplayName("entities, queue, conflicts, cursor and device id survive closing and reopening the SQLite file")
  void survivesRestart() {
    Path file = dir.resolve("device.db");
    Conflict conflict = new Conflict(EntityType.TASK, "t1", Conflict.Version.of(TASK),
        new Conflict.Version(new JsonObject().put("title", "Buy bread"), VectorClock.of(Map.of("d2", 1L)), false, 7),
        TASK.base(), 99);
    QueueItem queued;
    try (SqliteLocalStore store = SqliteLocalStore.open(file)) {
      queued = store.transaction(() -> {
        store.putEntity(TASK);
        store.putConflict(conflict);
        store.putMeta("deviceId", "device-1");
        store.putMeta("cursor", "c42");
        return new SyncQueue(store, 5, 1000, 60_000)
            .enqueue(TASK, Operation.CREATE, Set.of("title"), 1234);
      });
    }
    try (SqliteLocalStore reopened = SqliteLocalStore.open(file)) {
      assertThat(reopened.entity(EntityType.TASK, "t1")).contains(TASK);
      assertThat(reopened.queueItems()).containsExactly(queued);
      assertThat(reopened.conflicts()).containsExactly(conflict);
      assertThat(reopened.meta("deviceId")).contains("device-1");
      assertThat(reopened.meta("cursor")).contains("c42");
      assertThat(reopened.nextQueueSeq()).isEqualTo(queued.seq() + 1);
    }
  }
}
