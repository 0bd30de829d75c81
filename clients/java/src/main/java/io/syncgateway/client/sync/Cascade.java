package io.syncgateway.client.sync;

import io.syncgateway.entity.Operation;
import io.syncgateway.client.SyncEvent;
import io.syncgateway.client.store.EntityStatus;
import io.syncgateway.client.store.LocalEntity;
import io.syncgateway.client.store.LocalStore;
import io.syncgateway.client.store.QueueState;
import io.syncgateway.clock.VectorClock;
import io.syncgateway.entity.EntityType;
import java.util.List;
import java.util.Set;

/**
 * Mirrors the server's cascade (protocol Appendix A rule 3) once a task's deletion is known to be
 * on the server: its comments and attachments become tombstones whose clock merges their own with
 * the task's. Pending child changes can no longer apply; they move to the failed queue with the
 * reason (a conflict on a child likewise), so the app still sees them.
 */
final class Cascade {
  private Cascade() {}

  static void deleteChildren(LocalStore store, SyncQueue queue, String taskId, VectorClock taskClock,
      long now, List<SyncEvent> events) {
    for (EntityType type : List.of(EntityType.COMMENT, EntityType.ATTACHMENT)) {
      for (LocalEntity child : store.entities(type)) {
        if (child.deleted() || !taskId.equals(child.fields().getString("taskId"))) {
          continue;
        }
        if (child.status() == EntityStatus.CONFLICT) {
          // The conflict can no longer be settled on the server; its local side joins the failed queue.
          store.removeConflict(type, child.id());
          queue.enqueue(child, Operation.UPDATE, Set.of(), now);
        }
        store.queueItems().stream()
            .filter(i -> i.state() == QueueState.PENDING && i.type() == type && i.entityId().equals(child.id()))
            .forEach(item -> {
              queue.fail(item, "missing_parent: task " + taskId + " was deleted");
              events.add(SyncEvent.entity(SyncEvent.Type.ITEM_FAILED, type, child.id(), item.clock(),
                  "task " + taskId + " was deleted"));
            });
        store.putEntity(new LocalEntity(type, child.id(), child.fields(), child.clock().merge(taskClock), true,
            EntityStatus.SYNCED, child.fields().copy(), child.serverMeta(), child.localModifiedAt()));
      }
    }
  }
}
