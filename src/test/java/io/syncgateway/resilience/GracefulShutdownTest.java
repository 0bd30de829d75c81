package io.syncgateway.resilience;

import static io.syncgateway.testsupport.Changes.batch;
import static io.syncgateway.testsupport.Changes.clock;
import static io.syncgateway.testsupport.Changes.task;
import static io.syncgateway.testsupport.Changes.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;

import io.syncgateway.persistence.db.EmbeddedPostgresServer;
import io.syncgateway.persistence.db.PgUrl;
import io.syncgateway.testsupport.ChildGateway;
import io.syncgateway.testsupport.GatewayHarness;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Graceful shutdown on SIGTERM")
class GracefulShutdownTest {
  private static final Pattern DATABASE_PORT = Pattern.compile("Using PostgreSQL at postgresql://[^@]+@localhost:(\\d+)/");

  @TempDir
  Path dataDir;

  @Test
  @DisplayName("refuses new requests with 503, lets the in-flight push finish and persist, stops the embedded "
      + "database and exits by itself")
  void sigtermDrainsThenStops() throws Exception {
    String org = uniqueId("org");
    String device = uniqueId("dev");
    try (ChildGateway child = ChildGateway.start("gateway", Map.of("SYNC_DATA_DIR", dataDir.toString(),
        "SYNC_SHUTDOWN_GRACE_MS", "20000"))) {
      GatewayHarness client = child.client();
      String token = client.token("alice", org);
      client.pushOk(token, batch(device, "task", task("first", clock(device, 1), "Before the shutdown")));
      PgUrl database = embeddedDatabase(child, dataDir.resolve("postgres"));

      CompletableFuture<HttpResponse<Buffer>> inFlight;
      try (Connection blocker = DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password())) {
        // Holding back writes to tasks (reads go on) keeps the next push waiting inside its transaction.
        blocker.setAutoCommit(false);
        try (Statement lock = blocker.createStatement()) {
          lock.execute("LOCK TABLE tasks IN SHARE MODE");
        }
        inFlight = CompletableFuture.supplyAsync(() -> client.push(token,
            batch(device, "task", task("in-flight", clock(device, 2), "Pushed as SIGTERM arrives"))));
        awaitLockWait(blocker);

        child.jvm().terminate();
        child.jvm().awaitLine(line -> line.contains("Shutting down: refusing new requests"), Duration.ofSeconds(10));

        HttpResponse<Buffer> refused = client.get(token, "/api/sync/pull?since=0");
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.bodyAsJsonObject().getString("code")).isEqualTo("unavailable");
        assertThat(refused.getHeader("Retry-After")).isNotBlank();
        assertThat(refused.getHeader("Connection")).isEqualToIgnoringCase("close");
        assertThat(inFlight).as("the push waits for the database while the gateway drains").isNotDone();
        blocker.commit();
      }

      HttpResponse<Buffer> pushed = inFlight.get(20, TimeUnit.SECONDS);
      assertThat(pushed.statusCode()).as(pushed.bodyAsString()).isEqualTo(200);
      assertThat(pushed.bodyAsJsonObject().getInteger("processed")).isEqualTo(1);
      int exitCode = child.jvm().awaitExit(Duration.ofSeconds(15));
      assertThat(exitCode).as("0, or 143 (128 + SIGTERM) from the JVM after its shutdown hooks").isIn(0, 143);
      assertThat(child.jvm().output()).anyMatch(line -> line.contains("Stopped PostgreSQL on"));
    }

    try (EmbeddedPostgresServer restarted = EmbeddedPostgresServer.start(dataDir.resolve("postgres"));
        Connection connection = DriverManager.getConnection(restarted.url().jdbcUrl(), "postgres", restarted.url().password())) {
      assertThat(query(connection, "SELECT id FROM tasks WHERE org_id = ? AND id = 'in-flight'", org))
          .as("the push answered 200 during shutdown is persisted").isTrue();
    }
  }

  private static PgUrl embeddedDatabase(ChildGateway child, Path postgresDir) {
    String line = child.jvm().awaitLine(text -> DATABASE_PORT.matcher(text).find(), Duration.ofSeconds(5));
    Matcher port = DATABASE_PORT.matcher(line);
    assertThat(port.find()).isTrue();
    return PgUrl.of("localhost", Integer.parseInt(port.group(1)), "postgres", "postgres",
        EmbeddedPostgresServer.storedPassword(postgresDir).orElseThrow());
  }

  /** Until another session waits for a lock held by {@code blocker}. */
  private static void awaitLockWait(Connection blocker) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      try (PreparedStatement waiting = blocker.prepareStatement(
          "SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid()");
          ResultSet rows = waiting.executeQuery()) {
        if (rows.next()) {
          return;
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError("the push never reached the database");
  }

  /** Whether the query with one text parameter returns a row. */
  private static boolean query(Connection connection, String sql, String parameter) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setString(1, parameter);
      try (ResultSet rows = statement.executeQuery()) {
        return rows.next();
      }
    }
  }
}
