package io.syncgateway.batch;

import io.syncgateway.auth.Principal;
import io.syncgateway.bus.ErrorCode;
import io.syncgateway.bus.GatewayException;
import io.syncgateway.clock.InvalidClockException;
import io.syncgateway.clock.VectorClock;
import io.syncgateway.entity.EntityType;
import io.syncgateway.entity.Ids;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Checks a push envelope (top-level fields and the shape of {@code changes}) and reads its items.
 * A bad envelope fails the whole request; a bad item only rejects that item.
 */
public final class BatchPreparer {
  public static final String CHECKSUM_ALGORITHM = "jcs-sha256";
  /** The envelope clock is informational: checked for shape only up to this size, else ignored. */
  public static final int MAX_CHECKED_DEVICE_CLOCK_ENTRIES = 4096;

  private final int maxItems;

  public BatchPreparer(int maxItems) {
    this.maxItems = maxItems;
  }

  public PreparedBatch prepare(Principal principal, String headerDeviceId, JsonObject body) {
    String deviceId = deviceId(body.getValue("deviceId"), headerDeviceId);
    String batchId = optionalId(body.getValue("batchId"), "batchId");
    JsonObject deviceClock = deviceClock(body.getValue("vectorClock"));
    Object timestamp = body.getValue("timestamp");
    if (timestamp != null && !(timestamp instanceof Number)) {
      throw GatewayException.invalid("timestamp must be a number of milliseconds");
    }
    boolean verifyChecksums = checksumAlgorithm(body.getValue("checksumAlgorithm"));
    List<Map.Entry<EntityType, JsonArray>> changes = changes(body);

    ItemParser parser = new ItemParser(principal, verifyChecksums);
    List<PushItem> items = new ArrayList<>();
    List<Rejection> rejected = new ArrayList<>();
    int index = 0;
    for (Map.Entry<EntityType, JsonArray> group : changes) {
      for (Object raw : group.getValue()) {
        try {
          items.add(parser.parse(group.getKey(), (JsonObject) raw, index));
        } catch (ItemRejectedException e) {
          rejected.add(e.rejection());
        }
        index++;
      }
    }
    int priority = items.stream().mapToInt(PushItem::priority).min().orElse(5);
    return new PreparedBatch(deviceId, batchId, deviceClock, priority, items, rejected);
  }

  /** The device named by the body or the X-Device-Id header; both given and different is an error. */
  public static String deviceId(Object bodyValue, String headerValue) {
    String fromBody = optionalId(bodyValue, "deviceId");
    String fromHeader = optionalId(headerValue, "X-Device-Id");
    if (fromBody != null && fromHeader != null && !fromBody.equals(fromHeader)) {
      throw GatewayException.invalid("deviceId and the X-Device-Id header name different devices");
    }
    String deviceId = fromBody != null ? fromBody : fromHeader;
    if (deviceId == null) {
      throw GatewayException.invalid("A push must name its device (deviceId or X-Device-Id)");
    }
    return deviceId;
  }

  /** An optional id: null or empty is absent; anything else must be a valid id. */
  public static String optionalId(Object value, String name) {
    if (value == null || "".equals(value)) {
      return null;
    }
    if (value instanceof String text && Ids.isValid(text)) {
      return text;
    }
    throw GatewayException.invalid(name + " must be 1-128 characters of A-Z a-z 0-9 . _ ~ : -");
  }

  private static JsonObject deviceClock(Object value) {
    if (value == null) {
      return null;
    }
    if (!(value instanceof JsonObject clock)) {
      throw GatewayException.invalid("vectorClock must be a JSON object");
    }
    if (clock.size() > MAX_CHECKED_DEVICE_CLOCK_ENTRIES) {
      return null;
    }
    try {
      return VectorClock.fromJson(clock, MAX_CHECKED_DEVICE_CLOCK_ENTRIES).toJson();
    } catch (InvalidClockException e) {
      throw GatewayException.invalid(e.getMessage());
    }
  }

  private static boolean checksumAlgorithm(Object value) {
    if (value == null) {
      return false;
    }
    if (CHECKSUM_ALGORITHM.equals(value)) {
      return true;
    }
    throw GatewayException.invalid("checksumAlgorithm must be \"" + CHECKSUM_ALGORITHM + "\"");
  }

  private List<Map.Entry<EntityType, JsonArray>> changes(JsonObject body) {
    Object value = body.getValue("changes");
    if (!(value instanceof JsonObject changes)) {
      throw GatewayException.invalid(value == null ? "changes is required" : "changes must be a JSON object");
    }
    List<Map.Entry<EntityType, JsonArray>> groups = new ArrayList<>();
    int count = 0;
    for (Map.Entry<String, Object> entry : changes) {
      EntityType type = EntityType.fromName(entry.getKey());
      if (type == null) {
        throw new GatewayException(ErrorCode.UNKNOWN_ENTITY_TYPE, "Unknown entity type in changes");
      }
      if (!(entry.getValue() instanceof JsonArray items)) {
        throw GatewayException.invalid("changes." + entry.getKey() + " must be an array of objects");
      }
      for (Object item : items) {
        if (!(item instanceof JsonObject)) {
          throw GatewayException.invalid("changes." + entry.getKey() + " must be an array of objects");
        }
      }
      count += items.size();
      groups.add(Map.entry(type, items));
    }
    if (count > maxItems) {
      throw new GatewayException(ErrorCode.TOO_MANY_ITEMS,
          "The batch has " + count + " items; at most " + maxItems + " are allowed");
    }
    return groups;
  }
}
