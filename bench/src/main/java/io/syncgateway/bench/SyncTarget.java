package io.syncgateway.bench;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * What a workload drives: the gateway over HTTP, or the database directly with the persistence
 * layer's own transactions. {@code B} is a push body made ready to send before the clock starts.
 */
interface SyncTarget<B> {
  String name();

  B encode(SimDevice device, JsonObject body);

  Future<Outcome> push(SimDevice device, B body);

  /** A page of everything after {@code cursor} (null: from the beginning). */
  Future<Page> pull(SimDevice device, int limit, String cursor);
}
