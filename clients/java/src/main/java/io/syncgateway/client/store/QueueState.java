package io.syncgateway.client.store;

/** A queue item waits to be pushed, or has failed and waits for the app. */
public enum QueueState {
  PENDING,
  FAILED
}
