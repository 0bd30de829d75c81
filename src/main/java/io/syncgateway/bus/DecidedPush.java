package io.syncgateway.bus;

import io.syncgateway.auth.Principal;
import io.syncgateway.batch.PreparedBatch;
import io.syncgateway.entity.EntityRow;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Conflict → persistence ({@value Addresses#PUSH_COMMIT}): the entity states to write, each with the
 * version the decision saw ({@code expectedVersions}, aligned with {@code writes}; 0 = the entity did
 * not exist), and the response to give once they are committed. Persistence writes only if every
 * expectation still holds; otherwise it fails {@code stale} and the push is decided again.
 */
public record DecidedPush(Principal principal, PreparedBatch batch, long now, List<EntityRow> writes,
    List<Long> expectedVersions, JsonObject response, int applied, int acknowledged) {

  public DecidedPush {
    if (writes.size() != expectedVersions.size()) {
      throw new IllegalArgumentException("one expected version per write");
    }
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("principal", principal.toJson())
        .put("batch", batch.toJson())
        .put("now", now)
        .put("writes", new JsonArray(writes.stream().map(EntityRow::toJson).toList()))
        .put("expectedVersions", new JsonArray(expectedVersions))
        .put("response", response)
        .put("applied", applied)
        .put("acknowledged", acknowledged);
  }

  public static DecidedPush fromJson(JsonObject json) {
    return new DecidedPush(
        Principal.fromJson(json.getJsonObject("principal")),
        PreparedBatch.fromJson(json.getJsonObject("batch")),
        json.getLong("now"),
        json.getJsonArray("writes").stream().map(row -> EntityRow.fromJson((JsonObject) row)).toList(),
        json.getJsonArray("expectedVersions").stream().map(version -> ((Number) version).longValue()).toList(),
        json.getJsonObject("response"),
        json.getInteger("applied"),
        json.getInteger("acknowledged"));
  }
}
