package io.syncgateway.http;

import static io.syncgateway.http.HttpContractTest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.syncgateway.testsupport.GatewayHarness;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** HTTP framing and parsing a client cannot bend (RFC 9112 §6.3; PROTOCOL §4 numbers). */
@DisplayName("Protocol hygiene: ambiguous framing, cleartext HTTP/2 and non-ASCII digits are refused")
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ProtocolHygieneTest {
  private static final Duration ANSWER = Duration.ofSeconds(3);

  @RegisterExtension
  static final GatewayHarness gateway = GatewayHarness.perClass("protocol_hygiene");

  @ParameterizedTest(name = "{0}")
  @CsvSource({"Transfer-Encoding then Content-Length, true", "Content-Length then Transfer-Encoding, false"})
  @DisplayName("a request with both Transfer-Encoding and Content-Length is 400 invalid_request and its connection "
      + "is closed")
  void conflictingFramingIsRefused(String order, boolean chunkedFirst) {
    String token = gateway.token("framing", "org-framing");
    String chunked = "Transfer-Encoding: chunked\r\n";
    String length = "Content-Length: 7\r\n";
    try (RawConnection connection = RawConnection.open(gateway.gateway().httpPort())) {
      connection.send("POST /api/sync/push HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token
          + "\r\nContent-Type: application/json\r\n" + (chunkedFirst ? chunked + length : length + chunked)
          + "\r\n2\r\n{}\r\n0\r\n\r\n");
      String head = connection.readHead(ANSWER);
      Map<String, String> headers = headers(head);
      String body = new String(connection.readBytes(Integer.parseInt(headers.get("content-length")), ANSWER),
          StandardCharsets.UTF_8);
      assertProblem(Integer.parseInt(head.substring(9, 12)), name -> headers.get(name.toLowerCase()), body, 400,
          "invalid_request");
      assertThat(connection.closedWithin(ANSWER)).as("connection closed").isTrue();
    }
  }

  @Test
  @DisplayName("cleartext HTTP/2 with prior knowledge is refused by default")
  void priorKnowledgeH2cIsOff() {
    try (RawConnection connection = RawConnection.open(gateway.gateway().httpPort())) {
      connection.send("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\0\0\0\4\0\0\0\0\0");
      String answer = connection.readUntilQuiet(ANSWER);
      assertThat(answer).as("answer to an HTTP/2 preface").satisfiesAnyOf(
          text -> assertThat(text).isEmpty(),
          text -> assertThat(text).as("an HTTP/1 refusal, not HTTP/2 frames").matches("(?s)HTTP/[0-9.]+ [45]\\d\\d .*"));
    }
  }

  @Test
  @DisplayName("an h2c upgrade request is answered in HTTP/1.1, without switching protocols")
  void h2cUpgradeIsIgnored() {
    try (RawConnection connection = RawConnection.open(gateway.gateway().httpPort())) {
      connection.send("GET /health/live HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade, HTTP2-Settings\r\n"
          + "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n");
      assertThat(connection.readStatus(ANSWER)).isEqualTo(200);
    }
  }

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource({"limit, ٣", "limit, ３", "since, ٣", "since, ３", "offset, ٣", "offset, ３"})
  @DisplayName("a pull number written with non-ASCII digits (Arabic-Indic, full-width) is 400 invalid_request")
  void nonAsciiDigitsAreNotNumbers(String parameter, String digit) {
    String token = gateway.token("digits", "org-digits");
    String query = parameter.equals("offset") ? "since=0&offset=" : parameter + "=";
    assertProblem(gateway.get(token, "/api/sync/pull?" + query + URLEncoder.encode(digit, StandardCharsets.UTF_8)),
        400, "invalid_request");
  }

  private static Map<String, String> headers(String head) {
    Map<String, String> headers = new HashMap<>();
    for (String line : head.split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0) {
        headers.put(line.substring(0, colon).trim().toLowerCase(), line.substring(colon + 1).trim());
      }
    }
    return headers;
  }
}
