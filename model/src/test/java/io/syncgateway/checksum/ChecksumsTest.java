package io.syncgateway.checksum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ChecksumsTest {

  /** The independent route: SHA-256 of a canonical form written out by hand. */
  private static String sha256Hex(String canonicalJson) throws Exception {
    byte[] digest = MessageDigest.getInstance("SHA-256")
        .digest(canonicalJson.getBytes(StandardCharsets.UTF_8));
    return HexFormat.of().formatHex(digest);
  }

  private static JsonObject task() {
    return new JsonObject()
        .put("id", "t1")
        .put("title", "Hello")
        .put("version", 1)
        .put("vectorClock", new JsonObject().put("d1", 3))
        .put("customFields", new JsonObject().put("b", 1).put("a", new JsonArray().add(true)));
  }

  @Test
  @DisplayName("matches a hard-coded digest checked with sha256sum")
  void knownDigest() {
    // printf '%s' '{"customFields":{"a":[true,null],"b":1},"id":"t1","title":"Grüße €",
    //   "vectorClock":{"d1":3},"version":1}' | sha256sum   (one line)
    JsonObject entity = new JsonObject(
        "{ \"version\": 1, \"title\": \"Grüße €\", \"id\": \"t1\",\n"
            + "  \"vectorClock\": {\"d1\": 3}, \"customFields\": {\"b\": 1, \"a\": [true, null]} }");
    assertThat(Checksums.of(entity))
        .isEqualTo("d32f013e6d954f629c960241aed01f08188840da57266ac6186a8dce2830748b");
  }

  @Test
  @DisplayName("matches the digest of a tiny object written canonically by hand")
  void tinyObjectDigest() throws Exception {
    JsonObject entity = new JsonObject().put("title", "Hello").put("id", "t1");
    assertThat(Checksums.of(entity))
        .isEqualTo(sha256Hex("{\"id\":\"t1\",\"title\":\"Hello\"}"))
        .isEqualTo("3b4363ce463377ce28264a8f1434470eb9222fbdf1ed01dfe9a710693b5409d5");
  }

  @Test
  @DisplayName("canonicalizes numbers, escapes and literals as in RFC 8785 section 3.2")
  void rfc8785Example() throws Exception {
    JsonObject input = new JsonObject("{\n"
        + "  \"numbers\": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],\n"
        + "  \"string\": \"\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\\"\\/\",\n"
        + "  \"literals\": [null, true, false]\n"
        + "}");
    // The canonical output printed in RFC 8785 section 3.2.3.
    String expected = "{\"literals\":[null,true,false],"
        + "\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],"
        + "\"string\":\"€$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}";
    assertThat(Checksums.of(input))
        .isEqualTo(sha256Hex(expected))
        .isEqualTo("2d5e01a318d0f0879ab568c4be289c8b1f64ef8921a53c6277d5e069978baacb");
  }

  @Test
  @DisplayName("is lowercase hex of 64 characters")
  void lowercaseHex() {
    assertThat(Checksums.of(task())).matches("[0-9a-f]{64}");
  }

  @Test
  @DisplayName("does not depend on key order")
  void keyOrderIrrelevant() {
    JsonObject reordered = new JsonObject()
        .put("customFields", new JsonObject().put("a", new JsonArray().add(true)).put("b", 1))
        .put("vectorClock", new JsonObject().put("d1", 3))
        .put("version", 1)
        .put("title", "Hello")
        .put("id", "t1");
    assertThat(Checksums.of(reordered)).isEqualTo(Checksums.of(task()));
  }

  @Test
  @DisplayName("does not depend on whitespace in the received text")
  void whitespaceIrrelevant() {
    JsonObject compact = new JsonObject("{\"id\":\"t1\",\"tags\":[\"x\",\"y\"]}");
    JsonObject spaced = new JsonObject("{\n  \"id\" : \"t1\" ,\n\t\"tags\" : [ \"x\" , \"y\" ]\n}");
    assertThat(Checksums.of(spaced)).isEqualTo(Checksums.of(compact));
  }

  @Test
  @DisplayName("writes 1.0 as 1, so integral doubles match integers")
  void integralDoubleEqualsInteger() throws Exception {
    JsonObject asDouble = new JsonObject("{\"position\": 1.0}");
    JsonObject asInteger = new JsonObject("{\"position\": 1}");
    assertThat(Checksums.of(asDouble))
        .isEqualTo(Checksums.of(asInteger))
        .isEqualTo(sha256Hex("{\"position\":1}"));
  }

  @Test
  @DisplayName("distinguishes different numbers")
  void differentNumbersDiffer() {
    assertThat(Checksums.of(new JsonObject().put("position", 1.5)))
        .isNotEqualTo(Checksums.of(new JsonObject().put("position", 1)));
  }

  @Test
  @DisplayName("writes non-ASCII text as raw UTF-8, whatever escaping the client used")
  void unicodeIsRawUtf8() throws Exception {
    JsonObject escaped = new JsonObject("{\"title\": \"caf\\u00e9 \\ud83d\\ude00\"}");
    JsonObject raw = new JsonObject().put("title", "café 😀");
    assertThat(Checksums.of(escaped))
        .isEqualTo(Checksums.of(raw))
        .isEqualTo(sha256Hex("{\"title\":\"café 😀\"}"));
  }

  @Test
  @DisplayName("sorts keys by UTF-16 code units")
  void sortsKeysByUtf16() throws Exception {
    // RFC 8785 3.2.3: "\u20ac" < "\ud83d\ude00" < "\ufb33" in UTF-16, unlike in code points.
    JsonObject entity = new JsonObject().put("\ufb33", 3).put("\ud83d\ude00", 2).put("\u20ac", 1);
    assertThat(Checksums.of(entity))
        .isEqualTo(sha256Hex("{\"\u20ac\":1,\"\ud83d\ude00\":2,\"\ufb33\":3}"));
  }

  @Test
  @DisplayName("nested customFields keys count, including ones starting with _")
  void nestedKeysMatter() {
    JsonObject plain = task();
    JsonObject withNested = task();
    withNested.getJsonObject("customFields").put("_hidden", 1);
    assertThat(Checksums.of(withNested)).isNotEqualTo(Checksums.of(plain));
  }

  @Test
  @DisplayName("a nested value change changes the checksum")
  void nestedValueMatters() {
    JsonObject changed = task();
    changed.getJsonObject("customFields").put("b", 2);
    assertThat(Checksums.of(changed)).isNotEqualTo(Checksums.of(task()));
  }

  @Test
  @DisplayName("ignores top-level keys starting with _")
  void ignoresLocalKeys() {
    JsonObject withLocal = task().put("_local", true).put("_dirty", new JsonObject().put("x", 1));
    assertThat(Checksums.of(withLocal)).isEqualTo(Checksums.of(task()));
  }

  @Test
  @DisplayName("ignores checksum, operation, priority and changedFields")
  void ignoresPushBookkeeping() {
    JsonObject withBookkeeping = task()
        .put("checksum", "abc")
        .put("operation", "update")
        .put("priority", 2)
        .put("changedFields", new JsonArray().add("title"));
    assertThat(Checksums.of(withBookkeeping)).isEqualTo(Checksums.of(task()));
  }

  @Test
  @DisplayName("keeps other server fields such as version and deletedAt")
  void keepsOtherFields() {
    assertThat(Checksums.of(task().put("deletedAt", 5L))).isNotEqualTo(Checksums.of(task()));
  }

  @Test
  @DisplayName("a null field is part of the state")
  void nullFieldCounts() throws Exception {
    JsonObject entity = new JsonObject().put("id", "t1").putNull("assignedTo");
    assertThat(Checksums.of(entity))
        .isEqualTo(sha256Hex("{\"assignedTo\":null,\"id\":\"t1\"}"));
  }

  @Test
  @DisplayName("does not modify its argument")
  void doesNotMutate() {
    JsonObject entity = task().put("_local", true).put("checksum", "abc").put("operation", "x");
    String before = entity.encode();
    Checksums.of(entity);
    assertThat(entity.encode()).isEqualTo(before);
  }

  @Test
  @DisplayName("of the empty object is the digest of {}")
  void emptyObject() throws Exception {
    assertThat(Checksums.of(new JsonObject())).isEqualTo(sha256Hex("{}"));
  }

  @Test
  @DisplayName("rejects null")
  void rejectsNull() {
    assertThatThrownBy(() -> Checksums.of(null)).isInstanceOf(NullPointerException.class);
  }
}
