package io.syncgateway.client.sync;

import io.syncgateway.client.SyncResult;

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

  SyncResult result(long now, String error) {
    return new SyncResult(startedAt, now - startedAt, pushed, pulled, conflicts, bytesSent, bytesReceived, error);
  }
}
