package io.syncgateway.http;

import io.syncgateway.batch.BatchPreparer;
import io.syncgateway.bus.Addresses;
import io.syncgateway.bus.ErrorCode;
import io.syncgateway.bus.GatewayException;
import io.syncgateway.entity.EntityType;
import io.syncgateway.persistence.FeedCursor;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/** GET /api/sync/pull (and /pull/tasks, /comments, /attachments): reads the query, asks persistence. */
final class PullHandler {
  private final EventBus eventBus;
  private final DeliveryOptions busOptions;
  private final int defaultLimit;
  private final int maxLimit;

  PullHandler(EventBus eventBus, DeliveryOptions busOptions, int defaultLimit, int maxLimit) {
    this.eventBus = eventBus;
    this.busOptions = busOptions;
    this.defaultLimit = defaultLimit;
    this.maxLimit = maxLimit;
  }

  /** A handler for one path; {@code onlyType} is null for the all-types pull. */
  Handler<RoutingContext> forType(EntityType onlyType) {
    return rc -> {
      JsonObject request = readQuery(rc, onlyType).put("principal", Authenticator.principal(rc).toJson());
      rc.put(RequestLog.DEVICE_KEY, request.getString("deviceId"));
      eventBus.<Buffer>request(Addresses.PULL_PAGE, request, busOptions)
          .compose(page -> {
            rc.put(RequestLog.OUTCOME_KEY, Map.of(
                "items", Integer.parseInt(page.headers().get(Addresses.PULL_ITEMS_HEADER)),
                "hasMore", Boolean.parseBoolean(page.headers().get(Addresses.PULL_HAS_MORE_HEADER))));
            // Already JSON: sent as it is (gzipped by the server when the client accepts it).
            return rc.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(page.body());
          })
          .onFailure(rc::fail);
    };
  }

  private JsonObject readQuery(RoutingContext rc, EntityType onlyType) {
    JsonObject request = new JsonObject()
        .put("deviceId", BatchPreparer.optionalId(param(rc, "deviceId"), "deviceId"))
        .put("limit", limit(param(rc, "limit")))
        .put("types", types(onlyType, rc.request().getParam("types")));
    String header = BatchPreparer.optionalId(rc.request().getHeader(PushHandler.DEVICE_HEADER), "X-Device-Id");
    if (header != null) {
      if (request.getString("deviceId") != null && !header.equals(request.getString("deviceId"))) {
        throw GatewayException.invalid("deviceId and the X-Device-Id header name different devices");
      }
      request.put("deviceId", header);
    }
    String since = param(rc, "since");
    String offset = param(rc, "offset");
    if (since != null && !since.chars().allMatch(Character::isDigit)) {
      if (!FeedCursor.hasCursorShape(since)) { // fail fast; the signature is verified in persistence
        throw new GatewayException(ErrorCode.INVALID_CURSOR, "since is neither a cursor from a pull nor a timestamp");
      }
      if (offset != null) {
        throw GatewayException.invalid("offset goes with a numeric since only; follow the cursor instead");
      }
      return request.put("cursor", since);
    }
    if (offset != null) {
      request.put("offset", nonNegative(offset, "offset"));
    }
    return request.put("sinceMillis", since == null ? 0L : nonNegative(since, "since"));
  }

  private static String param(RoutingContext rc, String name) {
    String value = rc.request().getParam(name);
    return value == null || value.isEmpty() ? null : value;
  }

  private int limit(String value) {
    if (value == null) {
      return defaultLimit;
    }
    long limit = nonNegative(value, "limit");
    if (limit < 1 || limit > maxLimit) {
      throw GatewayException.invalid("limit must be an integer from 1 to " + maxLimit);
    }
    return (int) limit;
  }

  private static long nonNegative(String value, String name) {
    if (value.length() > 18 || !value.chars().allMatch(Character::isDigit)) {
      throw GatewayException.invalid(name + " must be a non-negative integer");
    }
    return Long.parseLong(value);
  }

  private static JsonArray types(EntityType onlyType, String value) {
    Set<EntityType> types = EnumSet.noneOf(EntityType.class);
    if (onlyType != null) {
      types.add(onlyType);
    } else if (value == null) {
      types.addAll(EnumSet.allOf(EntityType.class));
    } else {
      for (String name : value.split(",", -1)) {
        EntityType type = EntityType.fromName(name.trim());
        if (type == null) {
          throw new GatewayException(ErrorCode.UNKNOWN_ENTITY_TYPE, "types names an unknown entity type");
        }
        types.add(type);
      }
    }
    JsonArray names = new JsonArray();
    types.forEach(type -> names.add(type.singular()));
    return names;
  }
}
