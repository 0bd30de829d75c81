package io.syncgateway.client.sync;

import io.syncgateway.client.SyncEvent;
import io.syncgateway.client.SyncResult;
import java.util.List;

/** Tallies of one sync cycle, filled as it goes. */
final class CycleCounters {
  final long startedAt;
  int pushed;
  int pulled;
  int conflicts;
  long bytesSent;
  long bytesReceived;

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

  SyncResult result(long now, String error) {
    return new SyncResult(startedAt, now - startedAt, pushed, pulled, conflicts, bytesSent, bytesReceived, error);
  }
}
