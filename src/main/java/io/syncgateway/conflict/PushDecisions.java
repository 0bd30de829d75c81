package io.syncgateway.conflict;

import io.syncgateway.auth.Principal;
import io.syncgateway.batch.PreparedBatch;
import io.syncgateway.batch.PushItem;
import io.syncgateway.batch.Rejection;
import io.syncgateway.bus.DecidedPush;
import io.syncgateway.clock.VectorClock;
import io.syncgateway.entity.EntityRow;
import io.syncgateway.entity.EntityType;
import io.syncgateway.entity.StoredState;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a batch and the stored state it names into what persistence must commit: the states to write,
 * the version each decision saw, and the push response to give once committed. Pure: the gateway's
 * conflict verticle and the benchmark's direct runner call it alike.
 */
public final class PushDecisions {
  private record Key(EntityType type, String id) {}

  private PushDecisions() {}

  public static DecidedPush decide(Principal principal, PreparedBatch batch, StoredState state) {
    Decision decision = BatchDecider.decide(principal, batch.deviceId(), state.now(), batch.items(), state.rows(),
        state.liveChildren());
    Map<Key, EntityRow> stored = new HashMap<>();
    state.liveChildren().forEach(row -> stored.put(key(row), row));
    state.rows().forEach(row -> stored.put(key(row), row));
    List<Long> expectedVersions = decision.writes().stream()
        .map(row -> stored.containsKey(key(row)) ? stored.get(key(row)).version() : 0L)
        .toList();
    return new DecidedPush(principal, batch, state.now(), decision.writes(), expectedVersions,
        response(batch, decision, stored), decision.applied(), decision.acknowledged());
  }

  private static JsonObject response(PreparedBatch batch, Decision decision, Map<Key, EntityRow> stored) {
    List<Rejection> rejected = new ArrayList<>(batch.rejected());
    rejected.addAll(decision.rejected());
    return new JsonObject()
        .put("success", true)
        .put("processed", decision.applied() + decision.acknowledged())
        .put("conflicts", decision.conflicts())
        .put("superseded", decision.superseded())
        .put("rejected", new JsonArray(rejected.stream().map(Rejection::toJson).toList()))
        .put("serverVectorClock", namedClock(batch, decision, stored).toJson());
  }

  /**
   * §3 v1.1: the merge of the clocks, after the batch, of the entities the batch names — bounded by
   * the batch, never an aggregate of the organization.
   */
  private static VectorClock namedClock(PreparedBatch batch, Decision decision, Map<Key, EntityRow> stored) {
    Map<Key, EntityRow> after = new HashMap<>(stored);
    decision.writes().forEach(row -> after.put(key(row), row));
    VectorClock clock = VectorClock.empty();
    for (PushItem item : batch.items()) {
      EntityRow row = after.get(new Key(item.type(), item.id()));
      if (row != null) {
        clock = clock.merge(row.clock());
      }
    }
    return clock;
  }

  private static Key key(EntityRow row) {
    return new Key(row.type(), row.id());
  }
}
