package io.syncgateway.batch;

import io.syncgateway.entity.Priorities;
import io.syncgateway.entity.Operation;
import io.syncgateway.auth.Principal;
import io.syncgateway.checksum.Checksums;
import io.syncgateway.clock.InvalidClockException;
import io.syncgateway.clock.VectorClock;
import io.syncgateway.entity.EntityType;
import io.syncgateway.entity.FieldRule;
import io.syncgateway.entity.Ids;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads one pushed item (flat form, or the design's queue-item form) into a {@link PushItem}, or
 * rejects it with an item-level code. Everything inside an item is item-level: a bad value rejects
 * that item only.
 */
public final class ItemParser {
  public static final int MAX_ITEM_CLOCK_ENTRIES = 256;
  /** An invalid id is echoed in its rejection up to this many characters (Appendix A, rule 6). */
  public static final int MAX_ECHOED_ID_LENGTH = 1024;
  private static final Set<String> ITEM_META =
      Set.of("id", "entityType", "operation", "vectorClock", "priority", "changedFields", "organizationId");
  private static final Set<String> ENTITY_FIELDS_BEYOND_DOMAIN =
      Set.of("id", "vectorClock", "organizationId", "version", "updatedAt", "createdAt", "createdBy",
          "lastModifiedBy", "lastModifiedDevice", "deletedAt", "checksum");

  private final Principal principal;
  private final boolean verifyChecksums;

  public ItemParser(Principal principal, boolean verifyChecksums) {
    this.principal = principal;
    this.verifyChecksums = verifyChecksums;
  }

  public PushItem parse(EntityType type, JsonObject raw, int index) {
    return isQueueItem(raw) ? parseQueueItem(type, raw, index) : parseFlat(type, raw, raw, index);
  }

  /** The design's sync-queue form: {entityType, entityId, operation, priority, payload}. */
  private static boolean isQueueItem(JsonObject raw) {
    return raw.containsKey("entityId") || raw.containsKey("payload");
  }

  private PushItem parseQueueItem(EntityType type, JsonObject raw, int index) {
    String id = validId(type, raw.getValue("entityId"), "entityId");
    checkEntityType(type, raw.getValue("entityType"), id);
    Object payloadValue = raw.getValue("payload");
    if (payloadValue != null && !(payloadValue instanceof JsonObject)) {
      throw reject(type, id, "payload must be a JSON object");
    }
    JsonObject payload = payloadValue == null ? new JsonObject() : (JsonObject) payloadValue;
    Object payloadId = payload.getValue("id");
    if (payloadId != null && !id.equals(payloadId)) {
      throw reject(type, id, "payload.id differs from entityId");
    }
    JsonObject flat = payload.copy().put("id", id);
    for (String key : List.of("operation", "priority", "changedFields")) {
      if (raw.getValue(key) != null) {
        flat.put(key, raw.getValue(key));
      }
    }
    if (flat.getValue("vectorClock") == null && raw.getValue("vectorClock") != null) {
      flat.put("vectorClock", raw.getValue("vectorClock"));
    }
    return parseFlat(type, flat, payload, index);
  }

  private PushItem parseFlat(EntityType type, JsonObject item, JsonObject checksummed, int index) {
    String id = validId(type, item.getValue("id"), "id");
    checkEntityType(type, item.getValue("entityType"), id);
    Operation operation = operation(type, id, item.getValue("operation"));
    VectorClock clock = clock(type, id, item.getValue("vectorClock"));
    Integer priority = priority(type, id, item.getValue("priority"));
    List<String> changedFields = changedFields(type, id, item.getValue("changedFields"));
    Object organization = item.getValue("organizationId");
    if (organization != null && !principal.orgId().equals(organization)) {
      throw new ItemRejectedException(new Rejection(type, id, Rejection.FORBIDDEN,
          "organizationId does not match the token's organization", false));
    }
    JsonObject fields = domainFields(type, id, item, operation);
    if (verifyChecksums && checksummed.containsKey("checksum")) {
      Object declared = checksummed.getValue("checksum");
      if (!(declared instanceof String) || !declared.equals(Checksums.of(checksummed))) {
        throw new ItemRejectedException(new Rejection(type, id, Rejection.CHECKSUM_MISMATCH,
            "checksum does not match the item's content", false));
      }
    }
    int effectivePriority = priority != null ? priority
        : Priorities.of(type, operation, changedFields != null ? changedFields : fields.fieldNames());
    return new PushItem(type, id, operation, clock, effectivePriority, fields, index);
  }

  /**
   * The item's id, or a rejection. A string that is not a valid id is echoed in the rejection, so
   * that the client can tell which item was refused (Appendix A, rule 6); anything else has no
   * usable id: null.
   */
  private static String validId(EntityType type, Object value, String field) {
    if (value instanceof String text && Ids.isValid(text)) {
      return text;
    }
    String echoed = value instanceof String text ? echo(text) : null;
    throw reject(type, echoed, value == null ? field + " is required" : field + " must be a valid id");
  }

  /**
   * An invalid id as its rejection echoes it: as sent, cut to {@value #MAX_ECHOED_ID_LENGTH}
   * characters (code points, so a surrogate pair is never split). {@link Rejection} makes it storable.
   */
  static String echo(String id) {
    return id.codePointCount(0, id.length()) <= MAX_ECHOED_ID_LENGTH ? id
        : id.substring(0, id.offsetByCodePoints(0, MAX_ECHOED_ID_LENGTH));
  }

  private JsonObject domainFields(EntityType type, String id, JsonObject item, Operation operation) {
    JsonObject fields = new JsonObject();
    Map<String, FieldRule> rules = type.fields();
    for (Map.Entry<String, Object> entry : item) {
      String key = entry.getKey();
      if (key.startsWith("_") || ITEM_META.contains(key) || EntityType.SERVER_MANAGED.contains(key)) {
        continue;
      }
      FieldRule rule = rules.get(key);
      if (rule == null) {
        throw reject(type, id, "unknown field '" + abbreviate(key) + "'");
      }
      if (operation == Operation.DELETE) {
        continue; // a delete needs only id, operation and vectorClock
      }
      String problem = unstorable(entry.getValue())
          ? key + " may not contain U+0000 or an unpaired surrogate (\\ud800-\\udfff)"
          : rule.problem(entry.getValue());
      if (problem != null) {
        throw reject(type, id, problem);
      }
      fields.put(key, entry.getValue());
    }
    return fields;
  }

  /**
   * PostgreSQL text and jsonb cannot hold U+0000, and an unpaired surrogate (a lone surrogate
   * escape in the JSON text, which names no character) cannot be written as UTF-8, so it would be
   * stored altered: refuse both here rather than fail the batch or change the data.
   */
  private static boolean unstorable(Object value) {
    if (value instanceof String text) {
      return unstorable(text);
    }
    if (value instanceof JsonObject object) {
      for (Map.Entry<String, Object> entry : object) {
        if (unstorable(entry.getKey()) || unstorable(entry.getValue())) {
          return true;
        }
      }
    }
    if (value instanceof JsonArray array) {
      for (Object element : array) {
        if (unstorable(element)) {
          return true;
        }
      }
    }
    return false;
  }

  /** True when {@code text} holds U+0000 or a surrogate that is not part of a pair. */
  public static boolean unstorable(String text) {
    for (int i = 0; i < text.length(); i++) {
      char ch = text.charAt(i);
      if (ch == '\0') {
        return true;
      }
      if (Character.isHighSurrogate(ch) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(ch)) {
        return true;
      }
    }
    return false;
  }

  private static void checkEntityType(EntityType type, Object declared, String id) {
    if (declared != null && EntityType.fromName(String.valueOf(declared)) != type) {
      throw reject(type, id, "entityType does not match the changes key '" + type.singular() + "'");
    }
  }

  private static Operation operation(EntityType type, String id, Object value) {
    if (value == null) {
      return Operation.UPDATE;
    }
    Operation operation = value instanceof String name ? Operation.fromWire(name) : null;
    if (operation == null) {
      throw reject(type, id, "operation must be one of create, update, delete");
    }
    return operation;
  }

  private static VectorClock clock(EntityType type, String id, Object value) {
    if (!(value instanceof JsonObject json)) {
      throw reject(type, id, value == null ? "vectorClock is required" : "vectorClock must be a JSON object");
    }
    try {
      return VectorClock.fromJson(json, MAX_ITEM_CLOCK_ENTRIES);
    } catch (InvalidClockException e) {
      throw reject(type, id, e.getMessage());
    }
  }

  private static Integer priority(EntityType type, String id, Object value) {
    if (value == null) {
      return null;
    }
    if ((value instanceof Integer || value instanceof Long) && ((Number) value).longValue() >= 1
        && ((Number) value).longValue() <= 5) {
      return ((Number) value).intValue();
    }
    throw reject(type, id, "priority must be an integer from 1 to 5");
  }

  private static List<String> changedFields(EntityType type, String id, Object value) {
    if (value == null) {
      return null;
    }
    if (!(value instanceof JsonArray array)) {
      throw reject(type, id, "changedFields must be an array of field names");
    }
    List<String> names = new ArrayList<>(array.size());
    for (Object name : array) {
      if (!(name instanceof String field)
          || !(type.fields().containsKey(field) || ENTITY_FIELDS_BEYOND_DOMAIN.contains(field))) {
        throw reject(type, id, "changedFields names an unknown field");
      }
      names.add(field);
    }
    return names;
  }

  private static ItemRejectedException reject(EntityType type, String id, String message) {
    return new ItemRejectedException(Rejection.validation(type, id, message));
  }

  private static String abbreviate(String text) {
    return text.length() > 64 ? text.substring(0, 64) + "…" : text;
  }
}
