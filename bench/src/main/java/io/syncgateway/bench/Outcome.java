package io.syncgateway.bench;

import io.vertx.core.json.JsonObject;

/** What one successful request did: entities sent or received, conflicts and rejections reported. */
record Outcome(int entities, int conflicts, int rejected) {
  static Outcome of(int entities) {
    return new Outcome(entities, 0, 0);
  }

  /** A push response counted: every item of the batch, and the conflicts and rejections among them. */
  static Outcome ofPush(JsonObject response) {
    int conflicts = response.getJsonArray("conflicts").size();
    int rejected = response.getJsonArray("rejected").size();
    int items = response.getInteger("processed") + conflicts + response.getJsonArray("superseded").size() + rejected;
    return new Outcome(items, conflicts, rejected);
  }
}
