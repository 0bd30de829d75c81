package io.syncgateway.http;

import io.syncgateway.batch.BatchPreparer;
import io.syncgateway.bus.Addresses;
import io.syncgateway.bus.PullRequest;
import io.syncgateway.bus.ErrorCode;
import io.syncgateway.bus.GatewayException;
import io.syncgateway.entity.EntityType;
import io.syncgateway.memory.MemoryBudget;
import io.syncgateway.memory.PullPageMemory;
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
  /** The query parameters of a pull (PROTOCOL §4); any other is refused (StrictQuery). */
  private static final Set<String> PARAMETERS = Set.of("since", "cursor", "deviceId", "limit", "types", "offset");
  private final EventBus eventBus;
  private final DeliveryOptions busOptions;
  private final int defaultLimit;
  private final int maxLimit;
  private final MemoryBudget memory;
  private final long pageBytes;

  PullHandler(EventBus eventBus, DeliveryOptions busOptions, int defaultLimit, int maxLimit, MemoryBudget memory,
      long pageBytes) {
    this.eventBus = eventBus;
    this.busOptions = busOptions;
    this.defaultLimit = defaultLimit;
    this.maxLimit = maxLimit;
    this.memory = memory;
    this.pageBytes = pageBytes;
  }

  /** A handler for one path; {@code onlyType} is null for the all-types pull. */
  Handler<RoutingContext> forType(EntityType onlyType) {
    return rc -> {
      PullRequest request = PullRequest.fromJson(
          readQuery(rc, onlyType).put("principal", Authenticator.principal(rc).toJson()));
      rc.put(RequestLog.DEVICE_KEY, request.deviceId());
      // Room for the page is reserved before it is read, and kept until it has been handed to the connection.
      memory.reserve(PullPageMemory.estimate(request.limit(), pageBytes), "pull")
          .compose(reservation -> {
            rc.addEndHandler(ended -> reservation.release());
            return eventBus.<Buffer>request(Addresses.PULL_PAGE, request, busOptions);
          })
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
    StrictQuery query = StrictQuery.of(rc, PARAMETERS);
    JsonObject request = new JsonObject()
        .put("deviceId", deviceId(rc, query))
        .put("limit", limit(query.value("limit")))
        .put("types", types(onlyType, query.raw("types")));
    return readStart(query, request);
  }

  /** The device named by the {@code deviceId} query parameter or the X-Device-Id header (they must agree), or null. */
  static String deviceId(RoutingContext rc, StrictQuery query) {
    String named = BatchPreparer.optionalId(query.value("deviceId"), "deviceId");
    String header = BatchPreparer.optionalId(rc.request().getHeader(PushHandler.DEVICE_HEADER), "X-Device-Id");
    if (header != null && named != null && !header.equals(named)) {
      throw GatewayException.invalid("deviceId and the X-Device-Id header name different devices");
    }
    return header != null ? header : named;
  }

  /**
   * Where the page starts: {@code since} (a cursor, or a timestamp when all digits) or its synonym
   * {@code cursor} (a cursor only); {@code offset} goes with a timestamp only. Here only the cursor's
   * shape is checked: its signature and organization are verified by persistence.
   */
  private static JsonObject readStart(StrictQuery query, JsonObject request) {
    String since = query.value("since");
    String cursor = query.value("cursor");
    String offset = query.value("offset");
    if (since != null && cursor != null) {
      throw GatewayException.invalid("since and cursor are synonyms: send only one of them");
    }
    // Digits of any script make since a number (cursors begin with a letter), which then must be ASCII.
    if (cursor != null || (since != null && !since.chars().allMatch(Character::isDigit))) {
      String text = cursor != null ? cursor : since;
      if (!FeedCursor.hasCursorShape(text)) {
        throw new GatewayException(ErrorCode.INVALID_CURSOR, cursor != null
            ? "cursor is not a cursor from a pull (a timestamp goes in since)"
            : "since is neither a cursor from a pull nor a timestamp");
      }
      if (offset != null) {
        throw GatewayException.invalid("offset goes with a numeric since only; follow the cursor instead");
      }
      return request.put("cursor", text);
    }
    if (offset != null) {
      request.put("offset", nonNegative(offset, "offset"));
    }
    return request.put("sinceMillis", since == null ? 0L : nonNegative(since, "since"));
  }

  /** ASCII digits only: Java's digit tests also accept other scripts' digits. */
  private static boolean isDigits(String value) {
    return value.chars().allMatch(c -> c >= '0' && c <= '9');
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

  /** A non-negative integer parameter, or 400 invalid_request naming it. */
  static long nonNegative(String value, String name) {
    if (value.length() > 18 || !isDigits(value)) {
      throw GatewayException.invalid(name + " must be a non-negative integer");
    }
    return Long.parseLong(value);
  }

  /**
   * The types to pull: {@code types} (default all). On a per-type path the path's type is pulled,
   * and a {@code types} that excludes it is a contradiction (400 invalid_request).
   */
  private static JsonArray types(EntityType onlyType, String value) {
    Set<EntityType> types = value == null ? EnumSet.allOf(EntityType.class) : named(value);
    if (onlyType != null) {
      if (!types.contains(onlyType)) {
        throw GatewayException.invalid("types excludes " + onlyType.plural() + ", the type of this path");
      }
      types = EnumSet.of(onlyType);
    }
    JsonArray names = new JsonArray();
    types.forEach(type -> names.add(type.singular()));
    return names;
  }

  /** The types of a {@code types} parameter (singular or plural names); unknown → 400 unknown_entity_type. */
  static Set<EntityType> named(String commaList) {
    Set<EntityType> types = EnumSet.noneOf(EntityType.class);
    for (String name : commaList.split(",", -1)) {
      EntityType type = EntityType.fromName(name.trim());
      if (type == null) {
        throw new GatewayException(ErrorCode.UNKNOWN_ENTITY_TYPE, "types names an unknown entity type");
      }
      types.add(type);
    }
    return types;
  }
}
