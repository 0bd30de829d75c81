package io.syncgateway.entity;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;

/** The rule of one domain field: its JSON type, its size limits and whether null may clear it. */
public record FieldRule(String name, Kind kind, int minLength, int maxLength, boolean nullable) {

  public enum Kind { TEXT, ID, MILLIS, NON_NEGATIVE_INTEGER, NUMBER, TAGS, OBJECT }

  static final int MAX_TAGS = 64;
  static final int MAX_TAG_LENGTH = 256;
  static final int MAX_OBJECT_BYTES = 64 * 1024;

  public static FieldRule text(String name, int maxLength, boolean nullable) {
    return text(name, 0, maxLength, nullable);
  }

  public static FieldRule text(String name, int minLength, int maxLength, boolean nullable) {
    return new FieldRule(name, Kind.TEXT, minLength, maxLength, nullable);
  }

  public static FieldRule id(String name) {
    return new FieldRule(name, Kind.ID, 1, 128, false);
  }

  public static FieldRule of(String name, Kind kind) {
    return new FieldRule(name, kind, 0, 0, true);
  }

  /** Why {@code value} breaks this rule, or null when it is fine. */
  public String problem(Object value) {
    if (value == null) {
      return nullable ? null : name + " may not be null";
    }
    switch (kind) {
      case TEXT:
        if (!(value instanceof String s)) {
          return name + " must be a string";
        }
        if (s.length() < minLength) {
          return name + " must have at least " + minLength + " character(s)";
        }
        return s.length() > maxLength ? name + " is longer than " + maxLength + " characters" : null;
      case ID:
        return value instanceof String s && Ids.isValid(s) ? null : name + " must be a valid id";
      case MILLIS:
      case NON_NEGATIVE_INTEGER:
        return isNonNegativeInteger(value) ? null : name + " must be a non-negative integer";
      case NUMBER:
        return value instanceof Number ? null : name + " must be a number";
      case TAGS:
        return tagsProblem(value);
      case OBJECT:
        if (!(value instanceof JsonObject object)) {
          return name + " must be a JSON object";
        }
        return object.encode().getBytes(StandardCharsets.UTF_8).length > MAX_OBJECT_BYTES
            ? name + " is larger than " + MAX_OBJECT_BYTES + " bytes" : null;
      default:
        return null;
    }
  }

  private String tagsProblem(Object value) {
    if (!(value instanceof JsonArray tags)) {
      return name + " must be an array of strings";
    }
    if (tags.size() > MAX_TAGS) {
      return name + " has more than " + MAX_TAGS + " entries";
    }
    for (Object tag : tags) {
      if (!(tag instanceof String text)) {
        return name + " must be an array of strings";
      }
      if (text.length() > MAX_TAG_LENGTH) {
        return name + " entries are at most " + MAX_TAG_LENGTH + " characters";
      }
    }
    return null;
  }

  private static boolean isNonNegativeInteger(Object value) {
    if (value instanceof Integer || value instanceof Long) {
      return ((Number) value).longValue() >= 0;
    }
    if (value instanceof Double d) {
      return d >= 0 && d == Math.rint(d) && d <= 9007199254740991d;
    }
    return false;
  }
}
