package io.syncgateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Accepted push content types (PROTOCOL.md Appendix A rule 9): application/json and application/*+json. */
@DisplayName("MediaTypes.isJson")
class MediaTypesTest {

  @ParameterizedTest(name = "\"{0}\"")
  @ValueSource(strings = {
      "application/json",
      "application/json; charset=utf-8",
      "application/json;charset=UTF-8",
      "application/json; charset=iso-8859-1",
      "application/json;",
      "APPLICATION/JSON",
      "Application/Json; Charset=UTF-8",
      " application/json ",
      "application/problem+json",
      "application/vnd.api+json",
      "application/merge-patch+json; charset=utf-8"})
  @DisplayName("accepts JSON media types with any charset parameter")
  void accepted(String contentType) {
    assertThat(MediaTypes.isJson(contentType)).isTrue();
  }

  @ParameterizedTest(name = "\"{0}\"")
  @ValueSource(strings = {
      "", " ", "text/json", "text/plain", "application/xml", "application/jsonx", "application/json-seq",
      "application/x-www-form-urlencoded", "multipart/form-data", "application/+json", "text/plain+json",
      "application/a/b+json", "json", "application", "application/", "*/*", "application/*"})
  @DisplayName("refuses other media types")
  void refused(String contentType) {
    assertThat(MediaTypes.isJson(contentType)).isFalse();
  }

  @Test
  @DisplayName("refuses a missing Content-Type")
  void missing() {
    assertThat(MediaTypes.isJson(null)).isFalse();
  }
}
