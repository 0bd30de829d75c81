package io.syncgateway.client.sync;

import io.syncgateway.entity.Operation;
import io.syncgateway.checksum.Checksums;
import io.syncgateway.client.SyncEvent;
import io.syncgateway.client.store.EntityStatus;
import io.syncgateway.client.store.QueueItem;
import io.syncgateway.client.store.QueueState;
import io.syncgateway.entity.EntityType;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Pushes ready queue items in batches and settles each item by the server's outcome: applied →
 * synced; conflict → conflict queue; superseded → dropped from the queue (the pull brings the newer
 * state); rejected → failed queue with the reason, or a later retry when the server says retryable.
 */
final class PushPhase {

  private final SyncParts parts;

  PushPhase(SyncParts parts) {
    this.parts = parts;
  }

  Future<Void> run(CycleCounters counters) {
    return pushBatches(counters, new HashSet<>());
  }

  /** Pushes each state at most once per cycle: an item the server answered is settled until the next cycle. */
  private Future<Void> pushBatches(CycleCounters counters, Set<String> pushed) {
    return parts.runner().tx(events -> parts.queue().ready(parts.scheduler().now(), Integer.MAX_VALUE).stream()
            .filter(item -> !pushed.contains(attempt(item))).limit(parts.options().batchSize()).toList())
        .compose(items -> {
          if (items.isEmpty()) {
            return Future.<Void>succeededFuture();
          }
          items.forEach(item -> pushed.add(attempt(item)));
          return pushBatch(items, counters).compose(v -> pushBatches(counters, pushed));
        });
  }

  private static String attempt(QueueItem item) {
    return item.seq() + "@" + item.clock();
  }

  private Future<Void> pushBatch(List<QueueItem> items, CycleCounters counters) {
    JsonObject body = envelope(items);
    return parts.api().push(body).transform(done -> {
      if (done.succeeded()) {
        counters.traffic(done.result());
        return parts.runner().tx(events -> settle(items, done.result().body(), counters, events)).<Void>mapEmpty();
      }
      Throwable cause = done.cause();
      return parts.runner().tx(events -> {
        failedBatch(items, cause, events);
        return null;
      }).compose(v -> Future.<Void>failedFuture(cause));
    });
  }

  private JsonObject envelope(List<QueueItem> items) {
    JsonObject changes = new JsonObject();
    for (QueueItem item : items) {
      JsonObject pushItem = item.pushItem();
      pushItem.put("checksum", Checksums.of(pushItem));
      JsonArray array = changes.getJsonArray(item.type().singular());
      if (array == null) {
        array = new JsonArray();
        changes.put(item.type().singular(), array);
      }
      array.add(pushItem);
    }
    return new JsonObject().put("deviceId", parts.device().deviceId()).put("batchId", UUID.randomUUID().toString())
        .put("timestamp", parts.scheduler().now()).put("checksumAlgorithm", Checksums.ALGORITHM).put("changes", changes);
  }

  /** A whole-batch failure: transient errors retry each item later; a refused batch fails its items. */
  private void failedBatch(List<QueueItem> items, Throwable cause, List<SyncEvent> events) {
    GatewayError error = cause instanceof GatewayError g ? g : new GatewayError(0, "network", cause.getMessage());
    if (error.status() == 401 || error.status() == 403 || GatewayError.NOT_SENT.contains(error.code())) {
      // Not the items' fault (no network, breaker open, wrong token or parts.device()): they wait, uncounted.
      return;
    }
    long now = parts.scheduler().now();
    for (QueueItem item : items) {
      current(item).ifPresent(pending -> {
        QueueItem next = error.transientFailure()
            ? parts.queue().retryLater(pending, now, error.getMessage())
            : parts.queue().fail(pending, error.code() + ": " + error.getMessage());
        if (next.state() == QueueState.FAILED) {
          markFailed(next, events);
        }
      });
    }
  }

  private Void settle(List<QueueItem> items, JsonObject response, CycleCounters counters, List<SyncEvent> events) {
    Map<String, JsonObject> conflicts = byEntity(response.getJsonArray("conflicts"));
    Map<String, JsonObject> superseded = byEntity(response.getJsonArray("superseded"));
    Map<String, JsonObject> rejected = byEntity(response.getJsonArray("rejected"));
    long now = parts.scheduler().now();
    for (QueueItem item : items) {
      String key = key(item.type(), item.entityId());
      if (rejected.containsKey(key)) {
        rejectedItem(item, rejected.get(key), now, events);
      } else if (conflicts.containsKey(key)) {
        JsonObject conflict = conflicts.get(key);
        JsonObject serverVersion = conflict.getJsonObject("serverVersion").copy();
        if (!serverVersion.containsKey("vectorClock")) {
          serverVersion.put("vectorClock", conflict.getJsonObject("serverVectorClock"));
        }
        parts.remote().apply(RemoteChanges.RemoteState.ofServerEntity(item.type(), serverVersion), now, events);
      } else if (superseded.containsKey(key)) {
        current(item).ifPresent(parts.queue()::remove);
        events.add(SyncEvent.entity(SyncEvent.Type.ITEM_SUPERSEDED, item.type(), item.entityId(), item.clock(),
            "the server holds a later state"));
      } else {
        applied(item, events);
        counters.pushed++;
      }
    }
    counters.conflictsAdded(events);
    return null;
  }

  private void applied(QueueItem item, List<SyncEvent> events) {
    current(item).ifPresent(parts.queue()::remove);
    parts.store().entity(item.type(), item.entityId())
        .filter(entity -> entity.clock().equals(item.clock()) && entity.status() == EntityStatus.PENDING)
        .ifPresent(entity -> parts.store().putEntity(entity.acknowledged()));
    events.add(SyncEvent.entity(SyncEvent.Type.ITEM_ACKNOWLEDGED, item.type(), item.entityId(), item.clock(),
        item.operation().wire()));
    if (item.operation() == Operation.DELETE && item.type() == EntityType.TASK) {
      Cascade.deleteChildren(parts.store(), parts.queue(), item.entityId(), item.clock(), parts.scheduler().now(),
          events);
    }
  }

  private void rejectedItem(QueueItem item, JsonObject rejection, long now, List<SyncEvent> events) {
    String reason = rejection.getString("code") + ": " + rejection.getString("message");
    current(item).ifPresent(pending -> {
      QueueItem next = rejection.getBoolean("retryable", false)
          ? parts.queue().retryLater(pending, now, reason) : parts.queue().fail(pending, reason);
      if (next.state() == QueueState.FAILED) {
        markFailed(next, events);
      }
    });
  }

  private void markFailed(QueueItem item, List<SyncEvent> events) {
    parts.store().entity(item.type(), item.entityId()).filter(e -> e.clock().equals(item.clock()))
        .ifPresent(entity -> parts.store().putEntity(entity.withStatus(EntityStatus.FAILED)));
    events.add(SyncEvent.entity(SyncEvent.Type.ITEM_FAILED, item.type(), item.entityId(), item.clock(),
        item.lastError()));
  }

  /** The pushed item if it is still pending unchanged (a newer local change replaces its payload). */
  private Optional<QueueItem> current(QueueItem pushed) {
    return parts.store().queueItems().stream()
        .filter(i -> i.seq() == pushed.seq() && i.state() == QueueState.PENDING && i.clock().equals(pushed.clock()))
        .findFirst();
  }

  private static Map<String, JsonObject> byEntity(JsonArray outcomes) {
    Map<String, JsonObject> map = new HashMap<>();
    if (outcomes != null) {
      for (int i = 0; i < outcomes.size(); i++) {
        JsonObject outcome = outcomes.getJsonObject(i);
        EntityType type = EntityType.fromName(outcome.getString("entityType"));
        if (type != null && outcome.getString("entityId") != null) {
          map.put(key(type, outcome.getString("entityId")), outcome);
        }
      }
    }
    return map;
  }

  private static String key(EntityType type, String id) {
    return type.singular() + ":" + id;
  }
}
