package io.syncgateway.client.sync;

import io.syncgateway.client.SyncEvent;
import io.syncgateway.client.SyncResult;
import io.syncgateway.entity.EntityType;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Tallies of one sync cycle, filled as it goes. */
final class CycleCounters {
  final long startedAt;
  int pushed;
  int pulled;
  int conflicts;
  long bytesSent;
  long bytesReceived;
  /** Ids of entities whose local copy a pulled state replaced, per type. */
  final Map<EntityType, Set<String>> changed = new EnumMap<>(EntityType.class);

  CycleCounters(long startedAt) {
    this.startedAt = startedAt;
  }

  void traffic(GatewayApi.Answer answer) {
    bytesSent += answer.bytesSent();
    bytesReceived += answer.bytesReceived();
  }

  /** Counts the conflicts a store transaction added, from the events it produced. */
  void conflictsAdded(List<SyncEvent> events) {
    conflicts += (int) events.stream().filter(e -> e.type() == SyncEvent.Type.CONFLICT_ADDED).count();
  }

  void changed(Map<EntityType, Set<String>> page) {
    page.forEach((type, ids) -> changed.computeIfAbsent(type, t -> new LinkedHashSet<>()).addAll(ids));
  }

  SyncResult result(long now, String error) {
    return new SyncResult(startedAt, now - startedAt, pushed, pulled, conflicts, bytesSent, bytesReceived, error);
  }
}
