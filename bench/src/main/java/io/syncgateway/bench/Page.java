package io.syncgateway.bench;

import io.syncgateway.persistence.PullPage;
import io.vertx.core.json.JsonObject;

/** One pull page as the benchmark sees it: how many entities, where to go on, whether there is more. */
record Page(int entities, String cursor, boolean hasMore) {
  static Page of(JsonObject response) {
    int entities = response.getJsonArray("tasks").size() + response.getJsonArray("comments").size()
        + response.getJsonArray("attachments").size() + response.getJsonArray("tombstones").size();
    return new Page(entities, response.getString("cursor"), response.getBoolean("hasMore"));
  }

  /**
   * A page as the persistence layer returns it: already encoded, counted as it was written (the
   * gateway's edge does not parse it either).
   */
  static Page of(PullPage page) {
    return new Page(page.items(), page.cursor(), page.hasMore());
  }
}
