package io.syncgateway.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.syncgateway.bus.ErrorCode;
import io.syncgateway.bus.GatewayException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The request-body parser: a JSON object in UTF-8, nothing a lenient parser would let through
 * (PROTOCOL.md §3 limits: nesting depth; everything else → 400 invalid_request).
 */
@DisplayName("StrictJsonParser")
class StrictJsonParserTest {
  private static final int DEFAULT_DEPTH = 32;

  private final StrictJsonParser parser = new StrictJsonParser(DEFAULT_DEPTH);

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private JsonObject parse(String text) {
    return parser.parseObject(utf8(text));
  }

  private static GatewayException failure(StrictJsonParser parser, byte[] body) {
    GatewayException e = catchThrowableOfType(GatewayException.class, () -> parser.parseObject(body));
    assertThat(e).as("a GatewayException").isNotNull();
    return e;
  }

  private void assertInvalid(String text) {
    assertThat(failure(parser, utf8(text)).code()).isEqualTo(ErrorCode.INVALID_REQUEST);
  }

  private void assertInvalid(byte[] body) {
    assertThat(failure(parser, body).code()).isEqualTo(ErrorCode.INVALID_REQUEST);
  }

  /** {"a":{"a":…{}…}} with {@code objects} objects in total (the outermost counts as 1). */
  private static String nestedObjects(int objects) {
    return "{\"a\":".repeat(objects - 1) + "{}" + "}".repeat(objects - 1);
  }

  /** {"a":[[…[]…]]}: one object holding arrays, {@code levels} levels in total. */
  private static String nestedArrays(int levels) {
    return "{\"a\":" + "[".repeat(levels - 1) + "]".repeat(levels - 1) + "}";
  }

  private static byte[] concat(String prefix, byte[] middle, String suffix) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(utf8(prefix));
    out.writeBytes(middle);
    out.writeBytes(utf8(suffix));
    return out.toByteArray();
  }

  @Nested
  @DisplayName("accepts")
  class Accepts {

    @Test
    @DisplayName("an object with every kind of JSON value")
    void everyValueKind() {
      JsonObject json = parse("{\"s\":\"text\",\"i\":42,\"l\":1732550000000,\"d\":1.5,\"t\":true,\"f\":false,"
          + "\"n\":null,\"a\":[1,\"x\",{}],\"o\":{\"k\":\"v\"}}");

      assertThat(json.getString("s")).isEqualTo("text");
      assertThat(json.getValue("i")).isEqualTo(42);
      assertThat(json.getValue("l")).isEqualTo(1_732_550_000_000L);
      assertThat(json.getValue("d")).isEqualTo(1.5);
      assertThat(json.getBoolean("t")).isTrue();
      assertThat(json.getBoolean("f")).isFalse();
      assertThat(json.containsKey("n")).isTrue();
      assertThat(json.getValue("n")).isNull();
      assertThat(json.getJsonArray("a")).isEqualTo(new JsonArray().add(1).add("x").add(new JsonObject()));
      assertThat(json.getJsonObject("o")).isEqualTo(new JsonObject().put("k", "v"));
    }

    @Test
    @DisplayName("an empty object")
    void emptyObject() {
      assertThat(parse("{}").isEmpty()).isTrue();
    }

    @Test
    @DisplayName("surrounding whitespace")
    void whitespace() {
      assertThat(parse(" \n\t{\"a\":1} \r\n").getInteger("a")).isEqualTo(1);
    }

    @Test
    @DisplayName("multi-byte UTF-8 text and escapes, decoded exactly")
    void unicode() {
      JsonObject json = parse("{\"title\":\"Grüße € 日本 😀\",\"esc\":\"\\u00e9\\n\\\"\"}");

      assertThat(json.getString("title")).isEqualTo("Grüße € 日本 😀");
      assertThat(json.getString("esc")).isEqualTo("é\n\"");
    }

    @Test
    @DisplayName("the largest and smallest 64-bit integers")
    void longBounds() {
      JsonObject json = parse("{\"max\":9223372036854775807,\"min\":-9223372036854775808}");

      assertThat(json.getLong("max")).isEqualTo(Long.MAX_VALUE);
      assertThat(json.getLong("min")).isEqualTo(Long.MIN_VALUE);
    }

    @Test
    @DisplayName("exponent numbers within double range")
    void exponents() {
      assertThat(parse("{\"x\":1.5e300}").getDouble("x")).isEqualTo(1.5e300);
    }

    @Test
    @DisplayName("the same key in different objects")
    void sameKeyDifferentObjects() {
      assertThat(parse("{\"a\":{\"id\":1},\"b\":{\"id\":2}}").getJsonObject("b").getInteger("id")).isEqualTo(2);
    }
  }

  @Nested
  @DisplayName("refuses with invalid_request")
  class Refuses {

    @Test
    @DisplayName("an empty body")
    void emptyBody() {
      assertInvalid(new byte[0]);
    }

    @Test
    @DisplayName("a whitespace-only body")
    void whitespaceOnly() {
      assertInvalid("  \n ");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"[]", "[{}]", "\"text\"", "42", "true", "null"})
    @DisplayName("a top level that is not an object")
    void nonObjectTopLevel(String body) {
      assertInvalid(body);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "{", "{\"a\":1", "{\"a\":}", "{\"a\" 1}", "{a:1}", "{'a':1}", "{\"a\":1,}", "{\"a\":[1,]}",
        "{\"a\":01}", "{\"a\":NaN}", "{\"a\":Infinity}", "{\"a\":tru}", "{/*c*/\"a\":1}", "{\"a\":\"x\ny\"}",
        "{\"a\":\"\\q\"}", "{\"a\":[1,2}"})
    @DisplayName("malformed JSON")
    void malformed(String body) {
      assertInvalid(body);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"{} {}", "{}x", "{}]", "{}}", "{}1", "{\"a\":1}\"b\""})
    @DisplayName("content after the object")
    void trailingContent(String body) {
      assertInvalid(body);
    }

    @Test
    @DisplayName("a duplicate key at the top level")
    void duplicateTopLevel() {
      assertInvalid("{\"deviceId\":\"a\",\"deviceId\":\"b\"}");
    }

    @Test
    @DisplayName("a duplicate key in a nested object")
    void duplicateNested() {
      assertInvalid("{\"changes\":{\"task\":[{\"id\":\"t1\",\"id\":\"t2\"}]}}");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"9223372036854775808", "-9223372036854775809", "123456789012345678901234567890"})
    @DisplayName("integers outside 64 bits")
    void hugeIntegers(String number) {
      assertInvalid("{\"x\":" + number + "}");
    }

    @Test
    @DisplayName("an integer of 1000 digits")
    void thousandDigits() {
      assertInvalid("{\"x\":" + "9".repeat(1000) + "}");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"1e400", "-1e400", "1.0E+999"})
    @DisplayName("numbers that overflow a double")
    void overflowingDoubles(String number) {
      assertInvalid("{\"x\":" + number + "}");
    }

    @Test
    @DisplayName("an out-of-range number deep inside an array")
    void hugeNumberInArray() {
      assertInvalid("{\"a\":[1,2,[3,1e400]]}");
    }
  }

  @Nested
  @DisplayName("invalid UTF-8")
  class InvalidUtf8 {

    private void assertInvalidInString(int... bytes) {
      byte[] raw = new byte[bytes.length];
      for (int i = 0; i < bytes.length; i++) {
        raw[i] = (byte) bytes[i];
      }
      assertInvalid(concat("{\"title\":\"a", raw, "b\"}"));
    }

    @Test
    @DisplayName("a 0xFF byte is refused")
    void ffByte() {
      assertInvalidInString(0xff);
    }

    @Test
    @DisplayName("a lone continuation byte is refused")
    void loneContinuation() {
      assertInvalidInString(0x80);
    }

    @Test
    @DisplayName("a truncated two-byte sequence is refused")
    void truncatedSequence() {
      assertInvalidInString(0xc3);
    }

    @Test
    @DisplayName("a truncated three-byte sequence is refused")
    void truncatedThreeByteSequence() {
      assertInvalidInString(0xe2, 0x82);
    }

    @Test
    @DisplayName("an invalid byte in a key is refused")
    void invalidInKey() {
      assertInvalid(concat("{\"k", new byte[] {(byte) 0xfe}, "\":1}"));
    }

    @Test
    @DisplayName("an overlong two-byte encoding ('/' as C0 AF, '\"' as C0 A2) is refused")
    void overlongTwoBytes() {
      assertInvalidInString(0xc0, 0xaf);
      assertInvalidInString(0xc0, 0xa2);
    }

    @Test
    @DisplayName("an overlong three-byte encoding ('/' as E0 80 AF) is refused")
    void overlongThreeBytes() {
      assertInvalidInString(0xe0, 0x80, 0xaf);
    }

    @Test
    @DisplayName("an encoded UTF-16 surrogate (ED A0 80) is refused")
    void encodedSurrogate() {
      assertInvalidInString(0xed, 0xa0, 0x80);
    }

    @Test
    @DisplayName("a sequence beyond U+10FFFF is refused")
    void beyondUnicodeRange() {
      assertInvalidInString(0xf4, 0x90, 0x80, 0x80);
      assertInvalidInString(0xf5, 0x80, 0x80, 0x80);
    }

    @Test
    @DisplayName("a UTF-16 body is refused (all JSON is UTF-8)")
    void utf16Body() {
      assertInvalid("{\"deviceId\":\"dev-a\",\"changes\":{}}".getBytes(StandardCharsets.UTF_16LE));
    }
  }

  @Nested
  @DisplayName("nesting depth")
  class Depth {

    @Test
    @DisplayName("objects nested exactly to the limit are accepted")
    void objectsAtLimit() {
      StrictJsonParser small = new StrictJsonParser(5);
      assertThat(small.parseObject(utf8(nestedObjects(5))).containsKey("a")).isTrue();
    }

    @Test
    @DisplayName("objects nested one level past the limit are refused")
    void objectsPastLimit() {
      StrictJsonParser small = new StrictJsonParser(5);
      GatewayException e = failure(small, utf8(nestedObjects(6)));

      assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
      assertThat(e.detail()).contains("5");
    }

    @Test
    @DisplayName("arrays count towards the depth like objects")
    void arraysCount() {
      StrictJsonParser small = new StrictJsonParser(5);
      assertThat(small.parseObject(utf8(nestedArrays(5))).getJsonArray("a")).isNotNull();
      assertThat(failure(small, utf8(nestedArrays(6))).code()).isEqualTo(ErrorCode.INVALID_REQUEST);
    }

    @Test
    @DisplayName("the default limit of 32 accepts 32 levels and refuses 33")
    void defaultLimit() {
      assertThat(parse(nestedObjects(DEFAULT_DEPTH)).containsKey("a")).isTrue();
      assertInvalid(nestedObjects(DEFAULT_DEPTH + 1));
    }

    @Test
    @DisplayName("a very deep body (100 000 levels) is refused without a stack overflow")
    void veryDeep() {
      assertInvalid("{\"a\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}");
    }
  }
}
