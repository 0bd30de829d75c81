package io.syncgateway.persistence;

import io.syncgateway.auth.Principal;
import io.syncgateway.batch.PushItem;
import io.syncgateway.bus.Addresses;
import io.syncgateway.conflict.Decision;
import io.syncgateway.entity.EntityRow;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Decides the items of a push against the stored states a {@link PushTransaction} locked. The gateway
 * asks the conflict verticle over the event bus; the benchmark's direct runner decides in-process.
 */
@FunctionalInterface
public interface ItemDecider {
  Future<Decision> decide(Principal principal, String deviceId, long now, List<PushItem> items,
      List<EntityRow> stored, List<EntityRow> liveChildren);

  /** Asks {@value Addresses#CONFLICT_DECIDE}: any conflict verticle instance, on any node. */
  static ItemDecider overBus(EventBus eventBus, DeliveryOptions options) {
    return (principal, deviceId, now, items, stored, liveChildren) -> {
      JsonObject request = new JsonObject()
          .put("principal", principal.toJson())
          .put("deviceId", deviceId)
          .put("now", now)
          .put("items", new JsonArray(items.stream().map(PushItem::toJson).toList()))
          .put("stored", new JsonArray(stored.stream().map(EntityRow::toJson).toList()))
          .put("children", new JsonArray(liveChildren.stream().map(EntityRow::toJson).toList()));
      return eventBus.<JsonObject>request(Addresses.CONFLICT_DECIDE, request, options)
          .map(reply -> Decision.fromJson(reply.body()));
    };
  }
}
