package io.syncgateway.client.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.syncgateway.entity.Operation;
import io.syncgateway.client.store.EntityStatus;
import io.syncgateway.client.store.InMemoryLocalStore;
import io.syncgateway.client.store.LocalEntity;
import io.syncgateway.client.store.QueueItem;
import io.syncgateway.client.store.QueueState;
import io.syncgateway.clock.VectorClock;
import io.syncgateway.entity.EntityType;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Sync queue: order, coalescing, backoff, failed queue")
class SyncQueueTest {
  private final InMemoryLocalStore store = new InMemoryLocalStore();
  private final SyncQueue queue = new SyncQueue(store, 3, 1000, 5000);
  private long counter;

  private LocalEntity task(String id, JsonObject fields) {
    return new LocalEntity(EntityType.TASK, id, fields, VectorClock.of(Map.of("d", ++counter)), false,
        EntityStatus.PENDING, null, null, 0);
  }

  @Test
  @DisplayName("pending items are pushed by priority first, then oldest first")
  void priorityThenAge() {
    queue.enqueue(task("tags", new JsonObject()), Operation.UPDATE, Set.of("tags"), 100);        // 4
    queue.enqueue(task("older-desc", new JsonObject()), Operation.UPDATE, Set.of("description"), 200); // 3
    queue.enqueue(task("created", new JsonObject()), Operation.CREATE, Set.of("title"), 300);    // 1
    queue.enqueue(task("newer-desc", new JsonObject()), Operation.UPDATE, Set.of("description"), 400); // 3

    assertThat(queue.ready(1000, 100)).extracting(QueueItem::entityId)
        .containsExactly("created", "older-desc", "newer-desc", "tags");
    assertThat(queue.ready(1000, 2)).extracting(QueueItem::entityId).containsExactly("created", "older-desc");
  }

  @Test
  @DisplayName("a second change of an entity replaces the payload, keeping its age and the more urgent priority")
  void coalescesPerEntity() {
    queue.enqueue(task("t", new JsonObject().put("title", "a")), Operation.CREATE, Set.of("title"), 100);
    LocalEntity later = task("t", new JsonObject().put("title", "a").put("tags", "x"));
    queue.enqueue(later, Operation.UPDATE, Set.of("tags"), 500);

    assertThat(queue.pendingItems()).singleElement().satisfies(item -> {
      assertThat(item.createdAt()).isEqualTo(100);
      assertThat(item.priority()).isEqualTo(1);
      assertThat(item.operation()).isEqualTo(Operation.CREATE);
      assertThat(item.clock()).isEqualTo(later.clock());
      assertThat(item.changedFields()).containsExactlyInAnyOrder("title", "tags");
    });
  }

  @Test
  @DisplayName("a delete after a create is pushed as a delete")
  void deleteWins() {
    queue.enqueue(task("t", new JsonObject()), Operation.CREATE, Set.of("title"), 100);
    queue.enqueue(task("t", new JsonObject()), Operation.DELETE, Set.of(), 200);
    assertThat(queue.pendingItems()).singleElement().extracting(QueueItem::operation).isEqualTo(Operation.DELETE);
  }

  @Test
  @DisplayName("each retry waits base × 2^retryCount, capped")
  void exponentialBackoff() {
    assertThat(queue.backoff(1)).isEqualTo(2000);
    assertThat(queue.backoff(2)).isEqualTo(4000);
    assertThat(queue.backoff(3)).isEqualTo(5000);
    assertThat(queue.backoff(30)).isEqualTo(5000);
  }

  @Test
  @DisplayName("an item waiting out its backoff is not ready until the delay has passed")
  void backoffDelaysReadiness() {
    QueueItem item = queue.enqueue(task("t", new JsonObject()), Operation.CREATE, Set.of("title"), 0);
    queue.retryLater(item, 10_000, "network");

    assertThat(queue.ready(11_999, 100)).isEmpty();
    assertThat(queue.ready(12_000, 100)).singleElement().extracting(QueueItem::retryCount).isEqualTo(1);
  }

  @Test
  @DisplayName("after max retries the item moves to the failed queue with the reason, and can be requeued")
  void failedQueueNeverDrops() {
    QueueItem item = queue.enqueue(task("t", new JsonObject()), Operation.CREATE, Set.of("title"), 0);
    for (int i = 0; i < 4; i++) {
      item = queue.retryLater(item, 0, "HTTP 503");
    }

    assertThat(queue.pendingItems()).isEmpty();
    assertThat(queue.failed()).singleElement().satisfies(failed -> {
      assertThat(failed.state()).isEqualTo(QueueState.FAILED);
      assertThat(failed.lastError()).contains("HTTP 503").contains("3 retries");
    });

    assertThat(queue.requeue(item.seq(), 50)).isTrue();
    assertThat(queue.failed()).isEmpty();
    assertThat(queue.ready(50, 100)).singleElement().extracting(QueueItem::retryCount).isEqualTo(0);
  }

  @Test
  @DisplayName("a later change of an entity with a failed item amends that item, which stays failed until requeued")
  void laterChangeAmendsFailedItem() {
    LocalEntity first = task("t", new JsonObject());
    QueueItem item = queue.enqueue(first, Operation.CREATE, Set.of("title"), 0);
    queue.fail(item, "validation: title too long");
    LocalEntity edited = task("t", new JsonObject().put("title", "short"));
    queue.enqueue(edited, Operation.UPDATE, Set.of("status"), 10);

    assertThat(queue.pendingItems()).isEmpty();
    assertThat(queue.failed()).singleElement().satisfies(failed -> {
      assertThat(failed.seq()).isEqualTo(item.seq());
      assertThat(failed.clock()).isEqualTo(edited.clock());
      assertThat(failed.operation()).as("still a create").isEqualTo(Operation.CREATE);
      assertThat(failed.changedFields()).containsExactlyInAnyOrder("title", "status");
      assertThat(failed.payload().getString("title")).isEqualTo("short");
    });
    assertThat(queue.requeue(item.seq(), 20)).isTrue();
    assertThat(queue.ready(20, 10)).singleElement().extracting(QueueItem::clock).isEqualTo(edited.clock());
  }
}
