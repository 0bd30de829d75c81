package io.syncgateway.client;

/**
 * One sync cycle as the monitor records it.
 *
 * @param pushed items the server applied or acknowledged
 * @param pulled entities and tombstones received
 * @param error null when the cycle succeeded
 */
public record SyncResult(long startedAt, long durationMs, int pushed, int pulled, int conflicts, long bytesSent,
    long bytesReceived, String error) {

  public boolean succeeded() {
    return error == null;
  }
}
