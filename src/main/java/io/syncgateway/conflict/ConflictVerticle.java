package io.syncgateway.conflict;

import io.syncgateway.auth.Principal;
import io.syncgateway.batch.BatchPreparer;
import io.syncgateway.batch.PushItem;
import io.syncgateway.bus.Addresses;
import io.syncgateway.bus.BusErrors;
import io.syncgateway.bus.Probe;
import io.syncgateway.config.GatewayConfig;
import io.syncgateway.config.Setting;
import io.syncgateway.entity.EntityRow;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Conflict detection: validates batches before their transaction ({@value Addresses#BATCH_PREPARE})
 * and decides every item against the locked stored states inside it
 * ({@value Addresses#CONFLICT_DECIDE}). Stateless, so any number of instances, on any node.
 */
public class ConflictVerticle extends VerticleBase {
  private BatchPreparer preparer;

  @Override
  public Future<?> start() {
    preparer = new BatchPreparer(GatewayConfig.from(config()).integer(Setting.MAX_BATCH_ITEMS));
    return Future.all(
        vertx.eventBus().<JsonObject>consumer(Addresses.BATCH_PREPARE, this::prepare).completion(),
        vertx.eventBus().<JsonObject>consumer(Addresses.CONFLICT_DECIDE, this::decide).completion());
  }

  private void prepare(Message<JsonObject> message) {
    if (Probe.answered(message)) {
      return;
    }
    try {
      JsonObject body = message.body();
      Principal principal = Principal.fromJson(body.getJsonObject("principal"));
      message.reply(preparer.prepare(principal, body.getString("headerDeviceId"), body.getJsonObject("batch")).toJson());
    } catch (RuntimeException e) {
      BusErrors.reply(message, e);
    }
  }

  private void decide(Message<JsonObject> message) {
    if (Probe.answered(message)) {
      return;
    }
    try {
      JsonObject body = message.body();
      Decision decision = BatchDecider.decide(
          Principal.fromJson(body.getJsonObject("principal")),
          body.getString("deviceId"),
          body.getLong("now"),
          body.getJsonArray("items").stream().map(item -> PushItem.fromJson((JsonObject) item)).toList(),
          rows(body.getJsonArray("stored")),
          rows(body.getJsonArray("children")));
      message.reply(decision.toJson());
    } catch (RuntimeException e) {
      BusErrors.reply(message, e);
    }
  }

  private static List<EntityRow> rows(JsonArray json) {
    return json.stream().map(row -> EntityRow.fromJson((JsonObject) row)).toList();
  }
}
