package io.syncgateway.bench;

/** What one successful request did: entities sent or received, conflicts and rejections reported. */
record Outcome(int entities, int conflicts, int rejected) {
  static Outcome of(int entities) {
    return new Outcome(entities, 0, 0);
  }
}
