package io.syncgateway.decode;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import io.syncgateway.bus.GatewayException;
import io.syncgateway.memory.JsonHeapCost;
import io.syncgateway.memory.MemoryMeter;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CoderResult;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Parses a request body into a JsonObject, refusing what a lenient parser would let through:
 * duplicate keys, nesting deeper than the limit, numbers that do not fit, invalid UTF-8, trailing
 * content.
 */
public final class StrictJsonParser {
  private static final BigInteger MAX_LONG = BigInteger.valueOf(Long.MAX_VALUE);
  private static final int UTF8_WINDOW_CHARS = 8192;

  private final int maxDepth;
  private final JsonFactory factory;

  public StrictJsonParser(int maxDepth) {
    this.maxDepth = maxDepth;
    this.factory = JsonFactory.builder()
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .streamReadConstraints(StreamReadConstraints.builder()
            .maxNestingDepth(maxDepth + 1)
            .maxNumberLength(400)
            .build())
        .build();
  }

  public JsonObject parseObject(byte[] body) {
    return parseObject(body, MemoryMeter.unlimited());
  }

  /** Parses {@code body}, charging {@code meter} for the tree as it is built (and failing when it cannot grow). */
  public JsonObject parseObject(byte[] body, MemoryMeter meter) {
    if (body.length == 0) {
      throw GatewayException.invalid("The request body is empty");
    }
    checkUtf8(body);
    try (JsonParser parser = createParser(body, meter)) {
      JsonToken first = parser.nextToken();
      if (first != JsonToken.START_OBJECT) {
        throw GatewayException.invalid("The request body must be a JSON object");
      }
      JsonObject result = readObject(parser, 1, meter);
      if (parser.nextToken() != null) {
        throw GatewayException.invalid("Unexpected content after the JSON object");
      }
      return result;
    } catch (GatewayException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw GatewayException.invalid("Malformed JSON: " + describe(e));
    }
  }

  /**
   * Checks that the body is UTF-8 and nothing else: overlong forms, encoded surrogates and code
   * points past U+10FFFF are refused. Decoded through a small window, so checking holds no copy of
   * the body as characters (that copy took twice the body's size).
   */
  private static void checkUtf8(byte[] body) {
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(body);
    CharBuffer window = CharBuffer.allocate(UTF8_WINDOW_CHARS);
    CoderResult result;
    do {
      window.clear();
      result = decoder.decode(in, window, true);
    } while (result.isOverflow());
    if (result.isError() || decoder.flush(window.clear()).isError()) {
      throw GatewayException.invalid("The body is not valid UTF-8");
    }
  }

  /**
   * The body is valid UTF-8 here, so it is parsed as bytes. Jackson guesses UTF-16/32 from a byte
   * order mark or zero bytes at the start; such bodies (never a valid push) are read as characters
   * instead, so no other encoding is ever guessed.
   */
  private JsonParser createParser(byte[] body, MemoryMeter meter) throws IOException {
    if (!mayLookLikeAnotherEncoding(body)) {
      return factory.createParser(body, 0, body.length);
    }
    meter.charge(2L * body.length);
    char[] text = StandardCharsets.UTF_8.decode(ByteBuffer.wrap(body)).toString().toCharArray();
    return factory.createParser(text, 0, text.length);
  }

  private static boolean mayLookLikeAnotherEncoding(byte[] body) {
    if (body.length >= 3 && (body[0] & 0xff) == 0xEF && (body[1] & 0xff) == 0xBB && (body[2] & 0xff) == 0xBF) {
      return true;
    }
    for (int i = 0; i < Math.min(4, body.length); i++) {
      if (body[i] == 0) {
        return true;
      }
    }
    return false;
  }

  private JsonObject readObject(JsonParser parser, int depth, MemoryMeter meter) throws IOException {
    checkDepth(depth);
    meter.charge(JsonHeapCost.OBJECT);
    JsonObject object = new JsonObject();
    JsonToken token;
    while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
      String name = parser.currentName();
      meter.charge(JsonHeapCost.ENTRY + JsonHeapCost.string(name));
      object.put(name, readValue(parser, parser.nextToken(), depth, meter));
    }
    if (token != JsonToken.END_OBJECT) {
      throw GatewayException.invalid("Malformed JSON object");
    }
    return object;
  }

  private JsonArray readArray(JsonParser parser, int depth, MemoryMeter meter) throws IOException {
    checkDepth(depth);
    meter.charge(JsonHeapCost.ARRAY);
    JsonArray array = new JsonArray();
    JsonToken token;
    while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
      if (token == null) {
        throw GatewayException.invalid("Malformed JSON array");
      }
      meter.charge(JsonHeapCost.ELEMENT);
      array.add(readValue(parser, token, depth, meter));
    }
    return array;
  }

  private Object readValue(JsonParser parser, JsonToken token, int depth, MemoryMeter meter) throws IOException {
    if (token == null) {
      throw GatewayException.invalid("Unexpected end of JSON");
    }
    switch (token) {
      case START_OBJECT:
        return readObject(parser, depth + 1, meter);
      case START_ARRAY:
        return readArray(parser, depth + 1, meter);
      case VALUE_STRING:
        String text = parser.getText();
        meter.charge(JsonHeapCost.string(text));
        return text;
      case VALUE_NUMBER_INT:
        meter.charge(JsonHeapCost.NUMBER);
        return integer(parser);
      case VALUE_NUMBER_FLOAT:
        meter.charge(JsonHeapCost.NUMBER);
        double value = parser.getDoubleValue();
        if (Double.isInfinite(value) || Double.isNaN(value)) {
          throw GatewayException.invalid("A number in the body is too large");
        }
        return value;
      case VALUE_TRUE:
        return Boolean.TRUE;
      case VALUE_FALSE:
        return Boolean.FALSE;
      case VALUE_NULL:
        return null;
      default:
        throw GatewayException.invalid("Unexpected JSON token " + token);
    }
  }

  private static Object integer(JsonParser parser) throws IOException {
    switch (parser.getNumberType()) {
      case INT:
        return parser.getIntValue();
      case LONG:
        return parser.getLongValue();
      default:
        BigInteger big = parser.getBigIntegerValue();
        if (big.abs().compareTo(MAX_LONG) > 0) {
          throw GatewayException.invalid("A number in the body is too large");
        }
        return big.longValue();
    }
  }

  private void checkDepth(int depth) {
    if (depth > maxDepth) {
      throw GatewayException.invalid("JSON nesting is deeper than " + maxDepth + " levels");
    }
  }

  private static String describe(Exception e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    int newline = message.indexOf('\n');
    String firstLine = newline > 0 ? message.substring(0, newline) : message;
    return firstLine.length() > 200 ? firstLine.substring(0, 200) : firstLine;
  }
}
