package io.syncgateway.entity;

import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * What a push's decision reads, without any lock: the server time, the response recorded for its
 * batchId if that batch was already committed, the stored rows (live or tombstones) of every entity
 * the items name and of the tasks their taskIds name, and the live children of tasks it deletes.
 */
public record StoredState(long now, JsonObject recordedResponse, List<EntityRow> rows, List<EntityRow> liveChildren) {

  public boolean isReplay() {
    return recordedResponse != null;
  }
}
