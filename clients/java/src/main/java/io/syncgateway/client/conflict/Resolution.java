package io.syncgateway.client.conflict;

import io.vertx.core.json.JsonObject;

/** The state an app chose for a conflicted entity: its domain fields, or deleted. */
public record Resolution(JsonObject fields, boolean deleted) {

  public static Resolution of(JsonObject fields) {
    return new Resolution(fields, false);
  }

  public static Resolution deletion() {
    return new Resolution(new JsonObject(), true);
  }
}
