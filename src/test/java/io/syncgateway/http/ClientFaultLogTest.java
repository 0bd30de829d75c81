package io.syncgateway.http;

import static io.syncgateway.testsupport.Changes.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.syncgateway.testsupport.GatewayHarness;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/** Faults of the client's making are logged once, with what really happened, and never as our errors. */
@DisplayName("Client faults in the logs: the real outcome on one line, no ERROR, no stack trace")
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ClientFaultLogTest {
  private static final Duration WAIT = Duration.ofSeconds(5);

  @RegisterExtension
  static final GatewayHarness gateway = GatewayHarness.perClass("client_faults");
  private final ListAppender<ILoggingEvent> captured = new ListAppender<>();
  private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  private final Logger requests = (Logger) LoggerFactory.getLogger("sync.requests");
  private Level requestsLevel;

  @BeforeEach
  void capture() {
    requestsLevel = requests.getLevel();
    requests.setLevel(Level.INFO);
    captured.start();
    root.addAppender(captured);
  }

  @AfterEach
  void release() {
    root.detachAppender(captured);
    requests.setLevel(requestsLevel);
  }

  @Test
  @DisplayName("a client that disconnects in the middle of its upload is logged 499 client_closed_request, not 200")
  void disconnectMidUpload() {
    String requestId = uniqueId("gone");
    try (RawConnection connection = RawConnection.open(gateway.gateway().httpPort())) {
      connection.send(pushHead(requestId) + "Content-Length: 1000\r\n\r\n{\"changes\":");
      sleep(300);
    }
    Map<String, String> line = requestLine(requestId);
    assertThat(line).containsEntry("status", "499").containsEntry("code", "client_closed_request");
    assertNoErrors();
  }

  @Test
  @DisplayName("a chunked body with a malformed chunk size is refused (400 invalid_request when the answer gets "
      + "through, else the connection closes) and logged once as 400 invalid_request")
  void malformedChunkSize() {
    String requestId = uniqueId("chunk");
    try (RawConnection connection = RawConnection.open(gateway.gateway().httpPort())) {
      connection.send(pushHead(requestId) + "Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n");
      String answer = connection.readUntilQuiet(WAIT);
      assertThat(answer).as("answer, if any").satisfiesAnyOf(
          text -> assertThat(text).isEmpty(), text -> assertThat(text).startsWith("HTTP/1.1 400 "));
      assertThat(connection.closedWithin(WAIT)).as("connection closed").isTrue();
    }
    assertThat(requestLine(requestId)).containsEntry("status", "400").containsEntry("code", "invalid_request");
    assertNoErrors();
  }

  private static String pushHead(String requestId) {
    return "POST /api/sync/push HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
        + gateway.token("faulty", "org-faulty") + "\r\nContent-Type: application/json\r\nX-Request-Id: " + requestId
        + "\r\n";
  }

  /** The one request log line of the request, as its key-value pairs; waits for it to be written. */
  private Map<String, String> requestLine(String requestId) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      List<Map<String, String>> lines = events().stream()
          .filter(event -> event.getLoggerName().equals("sync.requests"))
          .map(event -> event.getKeyValuePairs().stream()
              .collect(Collectors.toMap(pair -> pair.key, pair -> String.valueOf(pair.value))))
          .filter(fields -> requestId.equals(fields.get("requestId")))
          .toList();
      if (!lines.isEmpty() || System.nanoTime() > deadline) {
        sleep(200); // a second line would come right after the first
        assertThat(events().stream().filter(event -> event.getLoggerName().equals("sync.requests"))
            .filter(event -> event.getKeyValuePairs().stream().anyMatch(pair -> requestId.equals(pair.value))))
            .as("request log lines of %s", requestId).hasSize(1);
        return lines.get(0);
      }
      sleep(50);
    }
  }

  private void assertNoErrors() {
    assertThat(events()).as("events at ERROR or with a stack trace")
        .noneMatch(event -> event.getLevel().isGreaterOrEqual(Level.ERROR) || event.getThrowableProxy() != null);
  }

  private List<ILoggingEvent> events() {
    synchronized (captured) {
      return List.copyOf(captured.list);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
