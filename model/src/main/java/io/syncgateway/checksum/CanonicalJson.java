package io.syncgateway.checksum;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.erdtman.jcs.NumberToJSON;

/**
 * Writes JSON values in the RFC 8785 (JCS) canonical form straight from the objects Vert.x holds,
 * without encoding them to text and parsing that text again: members sorted by the UTF-16 code
 * units of their names, no whitespace, minimal string escapes, numbers as ECMAScript writes the
 * IEEE double they denote (the number formatting is the JCS reference implementation's).
 */
final class CanonicalJson {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private final StringBuilder out;

  private CanonicalJson(int expectedLength) {
    out = new StringBuilder(expectedLength);
  }

  /** The canonical text of a JSON value; {@code null} when the value holds a type JSON does not have. */
  static String of(Object value, int expectedLength) {
    CanonicalJson writer = new CanonicalJson(expectedLength);
    return writer.write(value) ? writer.out.toString() : null;
  }

  private boolean write(Object value) {
    if (value == null) {
      out.append("null");
    } else if (value instanceof String text) {
      string(text);
    } else if (value instanceof Boolean bool) {
      out.append(bool.booleanValue());
    } else if (value instanceof Number number) {
      number(number);
    } else if (value instanceof JsonObject object) {
      return members(object.getMap());
    } else if (value instanceof Map<?, ?> map) {
      return members(map);
    } else if (value instanceof JsonArray array) {
      return elements(array.getList());
    } else if (value instanceof List<?> list) {
      return elements(list);
    } else {
      return false; // a Buffer, an Instant …: let the general route encode it
    }
    return true;
  }

  private boolean members(Map<?, ?> map) {
    List<String> names = new ArrayList<>(map.size());
    for (Object name : map.keySet()) {
      names.add((String) name);
    }
    names.sort(null); // String order is the order of UTF-16 code units, as JCS sorts
    out.append('{');
    boolean first = true;
    for (String name : names) {
      if (!first) {
        out.append(',');
      }
      first = false;
      string(name);
      out.append(':');
      if (!write(map.get(name))) {
        return false;
      }
    }
    out.append('}');
    return true;
  }

  private boolean elements(List<?> list) {
    out.append('[');
    for (int i = 0; i < list.size(); i++) {
      if (i > 0) {
        out.append(',');
      }
      if (!write(list.get(i))) {
        return false;
      }
    }
    out.append(']');
    return true;
  }

  private void string(String text) {
    out.append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xf]);
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  /** Every JSON number is an IEEE double in JCS: the double the number's JSON text denotes. */
  private void number(Number number) {
    double value;
    if (number instanceof Float || number instanceof BigDecimal || number instanceof BigInteger) {
      value = Double.parseDouble(number.toString()); // as its JSON text reads, not its binary value
    } else {
      value = number.doubleValue();
    }
    try {
      out.append(NumberToJSON.serializeNumber(value));
    } catch (IOException e) {
      throw new IllegalArgumentException("entity cannot be canonicalized: " + e.getMessage(), e);
    }
  }
}
