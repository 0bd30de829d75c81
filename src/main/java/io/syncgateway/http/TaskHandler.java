package io.syncgateway.http;

import io.syncgateway.bus.ErrorCode;
import io.syncgateway.bus.GatewayException;
import io.syncgateway.entity.Ids;
import io.vertx.core.Handler;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** GET /api/tasks/{id} and /api/tasks/{id}/comments. */
final class TaskHandler {
  private final EventBus eventBus;
  private final DeliveryOptions busOptions;

  TaskHandler(EventBus eventBus, DeliveryOptions busOptions) {
    this.eventBus = eventBus;
    this.busOptions = busOptions;
  }

  Handler<RoutingContext> reading(String address) {
    return rc -> {
      String id = rc.pathParam("id");
      if (id == null || !Ids.isValid(id)) {
        throw new GatewayException(ErrorCode.NOT_FOUND, "No such task");
      }
      JsonObject request = new JsonObject().put("principal", Authenticator.principal(rc).toJson()).put("id", id);
      eventBus.<JsonObject>request(address, request, busOptions)
          .compose(reply -> rc.json(reply.body()))
          .onFailure(rc::fail);
    };
  }
}
