package io.syncgateway.client.sync;

import io.syncgateway.entity.Operation;
import io.syncgateway.entity.Priorities;
import io.syncgateway.client.store.LocalEntity;
import io.syncgateway.client.store.LocalStore;
import io.syncgateway.client.store.QueueItem;
import io.syncgateway.client.store.QueueState;
import io.syncgateway.entity.EntityType;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The sync queue's rules over a {@link LocalStore} (call inside a store transaction): one pending
 * item per entity, pushed by priority then age, retried with exponential backoff, and moved to the
 * failed queue after too many retries — never dropped. Later changes to an entity with a failed
 * item amend that item, which stays failed until requeued.
 */
public final class SyncQueue {
  private static final Comparator<QueueItem> PUSH_ORDER = Comparator.comparingInt(QueueItem::priority)
      .thenComparingLong(QueueItem::createdAt).thenComparingLong(QueueItem::seq);

  private final LocalStore store;
  private final int maxRetries;
  private final long backoffBaseMs;
  private final long backoffCapMs;

  public SyncQueue(LocalStore store, int maxRetries, long backoffBaseMs, long backoffCapMs) {
    this.store = store;
    this.maxRetries = maxRetries;
    this.backoffBaseMs = backoffBaseMs;
    this.backoffCapMs = backoffCapMs;
  }

  /**
   * Queues the entity's current state. A pending item of the same entity takes the new payload and
   * keeps its age, the more urgent priority and the union of changed fields.
   */
  public QueueItem enqueue(LocalEntity entity, Operation operation, Set<String> changedFields, long now) {
    int priority = Priorities.of(entity.type(), operation, changedFields);
    // A change to an entity whose change the server refused amends the failed item: it waits there
    // until the app retries it (requeue) or discards it, rather than being pushed half-fixed.
    Optional<QueueItem> amended = pending(entity).or(() -> failed(entity.type(), entity.id()));
    QueueItem item;
    if (amended.isPresent()) {
      QueueItem old = amended.get();
      Set<String> fields = new LinkedHashSet<>(old.changedFields());
      fields.addAll(changedFields);
      item = new QueueItem(old.seq(), entity.type(), entity.id(), combine(old.operation(), operation),
          Math.min(old.priority(), priority), fields, entity.wire(), entity.clock(), old.createdAt(),
          old.retryCount(), old.nextAttemptAt(), old.state(), old.lastError());
    } else {
      item = new QueueItem(store.nextQueueSeq(), entity.type(), entity.id(), operation, priority,
          new LinkedHashSet<>(changedFields), entity.wire(), entity.clock(), now, 0, now, QueueState.PENDING, null);
    }
    store.putQueueItem(item);
    return item;
  }

  /** A create stays a create until deleted; a delete wins over earlier changes; a later write undoes a delete. */
  private static Operation combine(Operation earlier, Operation later) {
    if (later == Operation.DELETE) {
      return Operation.DELETE;
    }
    return earlier == Operation.CREATE ? Operation.CREATE : later;
  }

  public Optional<QueueItem> pending(LocalEntity entity) {
    return store.queueItems().stream()
        .filter(i -> i.state() == QueueState.PENDING && i.type() == entity.type() && i.entityId().equals(entity.id()))
        .findFirst();
  }

  /** Pending items whose backoff has elapsed, most urgent first, then oldest; at most {@code max}. */
  public List<QueueItem> ready(long now, int max) {
    return store.queueItems().stream()
        .filter(i -> i.state() == QueueState.PENDING && i.nextAttemptAt() <= now)
        .sorted(PUSH_ORDER).limit(max).toList();
  }

  public List<QueueItem> pendingItems() {
    return store.queueItems().stream().filter(i -> i.state() == QueueState.PENDING).sorted(PUSH_ORDER).toList();
  }

  public List<QueueItem> failed() {
    return store.queueItems().stream().filter(i -> i.state() == QueueState.FAILED).toList();
  }

  /** The entity's latest failed item, if the server refused a change of it. */
  public Optional<QueueItem> failed(EntityType type, String id) {
    return store.queueItems().stream()
        .filter(i -> i.state() == QueueState.FAILED && i.type() == type && i.entityId().equals(id))
        .reduce((earlier, later) -> later);
  }

  /** The delay before retry number {@code retryCount}: base × 2^retryCount, capped. */
  public long backoff(int retryCount) {
    double delay = backoffBaseMs * Math.pow(2, retryCount);
    return (long) Math.min(delay, backoffCapMs);
  }

  /**
   * Counts a failed attempt: the item waits out its backoff, or after {@code maxRetries} moves to
   * the failed queue with the error.
   */
  public QueueItem retryLater(QueueItem item, long now, String error) {
    int retries = item.retryCount() + 1;
    QueueItem next = retries > maxRetries
        ? item.withRetry(retries, now, QueueState.FAILED, "gave up after " + maxRetries + " retries: " + error)
        : item.withRetry(retries, now + backoff(retries), QueueState.PENDING, error);
    store.putQueueItem(next);
    return next;
  }

  /** Moves the item to the failed queue with the reason. */
  public QueueItem fail(QueueItem item, String reason) {
    QueueItem failed = item.withRetry(item.retryCount(), item.nextAttemptAt(), QueueState.FAILED, reason);
    store.putQueueItem(failed);
    return failed;
  }

  /** Puts a failed item back in line, fresh; a newer pending item of the entity makes it redundant. */
  public boolean requeue(long seq, long now) {
    Optional<QueueItem> failed = store.queueItems().stream()
        .filter(i -> i.seq() == seq && i.state() == QueueState.FAILED).findFirst();
    if (failed.isEmpty()) {
      return false;
    }
    QueueItem item = failed.get();
    boolean newerPending = store.queueItems().stream().anyMatch(i -> i.state() == QueueState.PENDING
        && i.type() == item.type() && i.entityId().equals(item.entityId()));
    if (newerPending) {
      store.removeQueueItem(seq);
    } else {
      store.putQueueItem(item.withRetry(0, now, QueueState.PENDING, null));
    }
    return true;
  }

  public void remove(QueueItem item) {
    store.removeQueueItem(item.seq());
  }
}
