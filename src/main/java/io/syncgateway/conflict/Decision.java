package io.syncgateway.conflict;

import io.syncgateway.batch.Rejection;
import io.syncgateway.clock.VectorClock;
import io.syncgateway.entity.EntityRow;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * What the conflict verticle decided for a batch: the per-item outcomes and the entity states to
 * write (applied items first, then cascaded tombstones), plus the merge of every written clock.
 */
public record Decision(int applied, int acknowledged, JsonArray conflicts, JsonArray superseded,
    List<Rejection> rejected, List<EntityRow> writes, VectorClock writtenClock) {

  public JsonObject toJson() {
    return new JsonObject()
        .put("applied", applied)
        .put("acknowledged", acknowledged)
        .put("conflicts", conflicts)
        .put("superseded", superseded)
        .put("rejected", new JsonArray(rejected.stream().map(Rejection::toJson).toList()))
        .put("writes", new JsonArray(writes.stream().map(EntityRow::toJson).toList()))
        .put("writtenClock", writtenClock.toJson());
  }

  public static Decision fromJson(JsonObject json) {
    return new Decision(
        json.getInteger("applied"),
        json.getInteger("acknowledged"),
        json.getJsonArray("conflicts"),
        json.getJsonArray("superseded"),
        json.getJsonArray("rejected").stream().map(r -> Rejection.fromJson((JsonObject) r)).toList(),
        json.getJsonArray("writes").stream().map(w -> EntityRow.fromJson((JsonObject) w)).toList(),
        EntityRow.clockOf(json.getJsonObject("writtenClock")));
  }
}
