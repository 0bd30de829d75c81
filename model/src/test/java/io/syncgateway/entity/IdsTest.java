package io.syncgateway.entity;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IdsTest {

  @ParameterizedTest(name = "\"{0}\" is valid")
  @ValueSource(strings = {
      "a", "Z", "0", "t1", "device-a123", "550e8400-e29b-41d4-a716-446655440000",
      "a.b_c~d:e-f", "...", ".a", "a..", "_", "~", ":", "-"})
  @DisplayName("accepts ids made of the allowed alphabet")
  void acceptsAllowedAlphabet(String id) {
    assertThat(Ids.isValid(id)).isTrue();
  }

  @ParameterizedTest(name = "\"{0}\" is invalid")
  @ValueSource(strings = {
      "", ".", "..", "a b", "a/b", "a\\b", "a?b", "a#b", "a%20", "a+b", "é", "t\u00e9st",
      "tab\t", "new\nline", "a@b", "a,b", "\u0000", "日本"})
  @DisplayName("rejects empty, dot segments and characters outside the alphabet")
  void rejectsOutsideAlphabet(String id) {
    assertThat(Ids.isValid(id)).isFalse();
  }

  @Test
  @DisplayName("rejects null")
  void rejectsNull() {
    assertThat(Ids.isValid(null)).isFalse();
  }

  @Test
  @DisplayName("accepts exactly 128 characters")
  void acceptsMaximumLength() {
    assertThat(Ids.isValid("x".repeat(128))).isTrue();
  }

  @Test
  @DisplayName("rejects 129 characters")
  void rejectsOverMaximumLength() {
    assertThat(Ids.isValid("x".repeat(129))).isFalse();
  }

  @Test
  @DisplayName("rejects a very long input quickly")
  void rejectsHugeInput() {
    assertThat(Ids.isValid("x".repeat(10_000_000))).isFalse();
  }
}
