package io.syncgateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.syncgateway.config.Setting;
import io.syncgateway.testsupport.GatewayHarness;
import io.syncgateway.testsupport.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Connection timeouts and caps (PROTOCOL §7, v1.1) on a gateway with short deadlines and a low
 * per-address cap, driven by raw sockets so that bytes can be trickled.
 */
@DisplayName("Connections: slow, idle and excess connections are closed; the gateway keeps answering")
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ConnectionLimitsTest {
  private static final Duration HEAD_TIMEOUT = Duration.ofMillis(1500);
  private static final Duration BODY_TIMEOUT = Duration.ofMillis(1500);
  private static final Duration IDLE_TIMEOUT = Duration.ofMillis(2500);
  private static final int PER_ADDRESS = 20;
  private static final Duration FAST = Duration.ofMillis(1000);
  private static GatewayHarness gateway;
  private static int port;

  @BeforeAll
  static void start() {
    gateway = GatewayHarness.start(TestDatabase.freshDatabase("connection_limits"), Map.of(
        Setting.HTTP_HEADER_TIMEOUT_MS, HEAD_TIMEOUT.toMillis(),
        Setting.HTTP_BODY_TIMEOUT_MS, BODY_TIMEOUT.toMillis(),
        Setting.HTTP_IDLE_TIMEOUT_MS, IDLE_TIMEOUT.toMillis(),
        Setting.HTTP_MAX_CONNECTIONS_PER_ADDRESS, PER_ADDRESS));
    port = gateway.gateway().httpPort();
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  /** Connections of the previous test are released on their close events, which may lag a little. */
  @BeforeEach
  void letClosedConnectionsBeReleased() throws InterruptedException {
    Thread.sleep(300);
  }

  @Test
  @DisplayName("a client trickling its request head one byte at a time is disconnected after the header timeout, "
      + "while a request on another connection is answered at once")
  void slowHeadIsCutOff() {
    try (RawConnection slow = RawConnection.open(port); RawConnection normal = RawConnection.open(port)) {
      long started = System.nanoTime();
      Thread trickler = new Thread(() ->
          slow.trickle("GET /health/live HTTP/1.1\r\nHost: localhost\r\nX-Padding: " + "a".repeat(100) + "\r\n\r\n",
              Duration.ofMillis(200)));
      trickler.start();
      assertThat(normal.send(RawConnection.get("/health/live"))).isTrue();
      long asked = System.nanoTime();
      assertThat(normal.readStatus(FAST)).isEqualTo(200);
      assertThat(Duration.ofNanos(System.nanoTime() - asked)).isLessThan(FAST);

      join(trickler);
      Duration open = Duration.ofNanos(System.nanoTime() - started);
      assertThat(open).as("time until the slow connection was closed")
          .isGreaterThanOrEqualTo(HEAD_TIMEOUT.minusMillis(300)).isLessThan(HEAD_TIMEOUT.plusSeconds(2));
    }
  }

  @Test
  @DisplayName("a request body that arrives too slowly is cut off after the body timeout")
  void slowBodyIsCutOff() {
    String token = gateway.token("slow-body", "org-slow-body");
    try (RawConnection slow = RawConnection.open(port)) {
      slow.send("POST /api/sync/push HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token
          + "\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n");
      long started = System.nanoTime();
      int written = slow.trickle("{\"changes\":{}" + " ".repeat(986) + "}", Duration.ofMillis(200));
      Duration open = Duration.ofNanos(System.nanoTime() - started);
      assertThat(written).as("body bytes written before the close").isLessThan(1000);
      assertThat(open).as("time until the slow body was cut off")
          .isGreaterThanOrEqualTo(BODY_TIMEOUT.minusMillis(300)).isLessThan(BODY_TIMEOUT.plusSeconds(2));
    }
  }

  @Test
  @DisplayName("a keep-alive connection left idle is closed after the idle timeout")
  void idleConnectionIsClosed() {
    try (RawConnection idle = RawConnection.open(port)) {
      idle.send(RawConnection.get("/health/live"));
      assertThat(idle.readStatus(FAST)).isEqualTo(200);
      long answered = System.nanoTime();
      assertThat(idle.closedWithin(IDLE_TIMEOUT.plusSeconds(2))).as("closed while idle").isTrue();
      assertThat(Duration.ofNanos(System.nanoTime() - answered))
          .isGreaterThanOrEqualTo(IDLE_TIMEOUT.minusMillis(300));
    }
  }

  @Test
  @DisplayName("beyond the per-address cap a new connection is closed at once, while /health/live on an existing "
      + "connection still answers 200")
  void connectionsBeyondTheCapAreRefused() {
    List<RawConnection> connections = new ArrayList<>();
    try {
      for (int i = 0; i < PER_ADDRESS; i++) {
        RawConnection connection = RawConnection.open(port);
        connections.add(connection);
        connection.send(RawConnection.get("/health/live"));
        assertThat(connection.readStatus(FAST)).as("connection %d answered", i + 1).isEqualTo(200);
      }
      try (RawConnection excess = RawConnection.open(port)) {
        excess.send(RawConnection.get("/health/live"));
        assertThat(excess.readUntilQuiet(FAST)).as("answer on the excess connection").isEmpty();
        assertThat(excess.closedWithin(FAST)).as("excess connection closed").isTrue();
      }
      RawConnection existing = connections.get(0);
      existing.send(RawConnection.get("/health/live"));
      assertThat(existing.readStatus(FAST)).isEqualTo(200);
    } finally {
      connections.forEach(RawConnection::close);
    }
  }

  private static void join(Thread thread) {
    try {
      thread.join(Duration.ofSeconds(10).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
