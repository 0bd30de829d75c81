package io.syncgateway.client.store;

/** Where a local entity stands with respect to the server. */
public enum EntityStatus {
  /** The local state is the last state the server acknowledged or sent. */
  SYNCED,
  /** A local change waits in the sync queue. */
  PENDING,
  /** Local and remote changed concurrently; the conflict queue holds both until the app resolves it. */
  CONFLICT,
  /** The server refused the local change; the failed queue holds it with the reason. */
  FAILED
}
