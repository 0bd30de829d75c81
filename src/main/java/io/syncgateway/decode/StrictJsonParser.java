package io.syncgateway.decode;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import io.syncgateway.bus.GatewayException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
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
    if (body.length == 0) {
      throw GatewayException.invalid("The request body is empty");
    }
    char[] text = strictUtf8(body);
    try (JsonParser parser = factory.createParser(text, 0, text.length)) {
      JsonToken first = parser.nextToken();
      if (first != JsonToken.START_OBJECT) {
        throw GatewayException.invalid("The request body must be a JSON object");
      }
      JsonObject result = readObject(parser, 1);
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
   * Decodes the body as UTF-8 and nothing else: overlong forms, encoded surrogates and code points
   * past U+10FFFF are refused, and no other encoding is guessed from the first bytes.
   */
  private static char[] strictUtf8(byte[] body) {
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    try {
      CharBuffer chars = decoder.decode(ByteBuffer.wrap(body));
      return chars.hasArray() && chars.arrayOffset() == 0 && chars.array().length == chars.remaining()
          ? chars.array() : chars.toString().toCharArray();
    } catch (CharacterCodingException e) {
      throw GatewayException.invalid("The body is not valid UTF-8");
    }
  }

  private JsonObject readObject(JsonParser parser, int depth) throws IOException {
    checkDepth(depth);
    JsonObject object = new JsonObject();
    JsonToken token;
    while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
      String name = parser.currentName();
      object.put(name, readValue(parser, parser.nextToken(), depth));
    }
    if (token != JsonToken.END_OBJECT) {
      throw GatewayException.invalid("Malformed JSON object");
    }
    return object;
  }

  private JsonArray readArray(JsonParser parser, int depth) throws IOException {
    checkDepth(depth);
    JsonArray array = new JsonArray();
    JsonToken token;
    while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
      if (token == null) {
        throw GatewayException.invalid("Malformed JSON array");
      }
      array.add(readValue(parser, token, depth));
    }
    return array;
  }

  private Object readValue(JsonParser parser, JsonToken token, int depth) throws IOException {
    if (token == null) {
      throw GatewayException.invalid("Unexpected end of JSON");
    }
    switch (token) {
      case START_OBJECT:
        return readObject(parser, depth + 1);
      case START_ARRAY:
        return readArray(parser, depth + 1);
      case VALUE_STRING:
        return parser.getText();
      case VALUE_NUMBER_INT:
        return integer(parser);
      case VALUE_NUMBER_FLOAT:
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
