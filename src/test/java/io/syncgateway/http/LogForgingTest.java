package io.syncgateway.http;

import static io.syncgateway.testsupport.Changes.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;

import io.syncgateway.testsupport.ChildGateway;
import io.syncgateway.testsupport.TestDatabase;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Log forging: control characters a client puts in a request (here raw bytes in the path, and a
 * line break in a token's subject) never reach the log as such, in either log format (child JVMs
 * logging through the production logback.xml).
 */
@DisplayName("Log forging: control characters from requests are escaped in the logs")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LogForgingTest {
  /** ESC (an ANSI colour), BEL and DEL: bytes Netty lets through in a path (it refuses CR and LF there). */
  private static final String HOSTILE_PATH = "/api/tasks/x\u001b[31m\u0007y\u007fz";
  private static final String HOSTILE_USER = "mallory\nINFO forged line\r\u2028";

  @Test
  @DisplayName("text format: a request with control characters in its path and user is one escaped log line")
  void textLogIsEscaped() {
    List<String> output = requestAndCollectLog("text");
    List<String> lines = output.stream().filter(line -> line.contains("sync.requests")).toList();
    assertThat(lines).as("request log lines").hasSize(1);
    assertThat(output).noneMatch(line -> line.contains("forged line") && !line.contains("sync.requests"));
    assertThat(lines.get(0)).contains("path=\"/api/tasks/x\\u001b[31m\\u0007y\\u007fz\"")
        .contains("user=\"mallory\\nINFO forged line\\r\\u2028\"");
    assertThat(output).allMatch(line -> line.chars().noneMatch(c -> c < 0x20 && c != '\t' || c == 0x7f));
  }

  @Test
  @DisplayName("JSON format: the same request is one JSON line whose fields hold no control characters")
  void jsonLogIsEscaped() {
    List<String> output = requestAndCollectLog("json");
    List<JsonObject> lines = output.stream().map(JsonObject::new)
        .filter(event -> "sync.requests".equals(event.getString("loggerName"))).toList();
    assertThat(lines).as("request log lines").hasSize(1);
    JsonObject fields = new JsonObject();
    lines.get(0).getJsonArray("kvpList").forEach(pair -> fields.mergeIn((JsonObject) pair));
    assertThat(fields.getString("path")).isEqualTo("/api/tasks/x\\u001b[31m\\u0007y\\u007fz");
    assertThat(fields.getString("user")).isEqualTo("mallory\\nINFO forged line\\r\\u2028");
  }

  /** Starts a gateway logging in {@code format}, sends the hostile request, stops it; returns its output. */
  private static List<String> requestAndCollectLog(String format) {
    try (ChildGateway child = ChildGateway.start("log-" + format, Map.of(
        "SYNC_PG_URL", TestDatabase.freshDatabase("log_forging").connectionString(), "SYNC_LOG_FORMAT", format))) {
      String token = child.client().token(HOSTILE_USER, uniqueId("org"));
      try (RawConnection connection = RawConnection.open(child.port())) {
        connection.send("GET " + HOSTILE_PATH + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token
            + "\r\n\r\n");
        assertThat(connection.readStatus(Duration.ofSeconds(10))).isEqualTo(404);
      }
      child.jvm().terminate();
      child.jvm().awaitExit(Duration.ofSeconds(30));
      return child.jvm().output();
    }
  }
}
