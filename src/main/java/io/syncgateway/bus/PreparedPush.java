package io.syncgateway.bus;

import io.syncgateway.auth.Principal;
import io.syncgateway.batch.PreparedBatch;
import io.vertx.core.json.JsonObject;

/** Decode → conflict ({@value Addresses#PUSH_DECIDE}): a push whose envelope and items were read and checked. */
public record PreparedPush(Principal principal, PreparedBatch batch) {

  public JsonObject toJson() {
    return new JsonObject().put("principal", principal.toJson()).put("batch", batch.toJson());
  }

  public static PreparedPush fromJson(JsonObject json) {
    return new PreparedPush(Principal.fromJson(json.getJsonObject("principal")),
        PreparedBatch.fromJson(json.getJsonObject("batch")));
  }
}
