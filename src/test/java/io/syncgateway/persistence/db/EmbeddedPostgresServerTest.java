package io.syncgateway.persistence.db;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.syncgateway.testsupport.ChildJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EmbeddedPostgresServerTest {

  @TempDir
  Path tempDir;

  private Path dataDir;
  private final List<ChildJvm> children = new ArrayList<>();
  private final List<Process> others = new ArrayList<>();

  @BeforeEach
  void setUp() {
    dataDir = tempDir.resolve("pgdata");
  }

  @AfterEach
  void stopLeftovers() throws Exception {
    children.forEach(ChildJvm::close);
    for (Process other : others) {
      other.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    // A failed test may leave a postgres running on the directory JUnit is about to delete.
    if (Files.exists(dataDir.resolve("postmaster.pid"))) {
      PostmasterRecovery.recover(dataDir);
    }
  }

  @Test
  void dataSurvivesCloseAndRestartOnTheSameDirectory() throws Exception {
    try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dataDir)) {
      execute(server.url(), "CREATE TABLE notes (body TEXT)", "INSERT INTO notes VALUES ('kept')");
    }
    assertThat(dataDir.resolve("PG_VERSION")).exists();

    try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dataDir)) {
      assertThat(query(server.url(), "SELECT body FROM notes")).containsExactly("kept");
    }
  }

  @Test
  void startAfterTheGatewayJvmWasKilledStopsTheOrphanedPostgresAndKeepsCommittedData() throws Exception {
    ChildJvm gateway = startKillableGateway("committed before SIGKILL");
    awaitReady(gateway);
    long postmasterPid = Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).trim());

    gateway.kill(); // SIGKILL: no shutdown hook, no close()

    // What zonky leaves behind: pg_ctl daemonized the postmaster, so it outlives the JVM and keeps the directory.
    assertThat(PostmasterRecovery.isRunning(postmasterPid)).as("orphaned postmaster still running").isTrue();
    try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dataDir)) {
      assertThat(query(server.url(), "SELECT note FROM kill_test")).containsExactly("committed before SIGKILL");
      assertThat(PostmasterRecovery.isRunning(postmasterPid)).as("orphaned postmaster still running").isFalse();
    }
  }

  @Test
  void startRefusesADirectoryThatALiveGatewayProcessServes() throws Exception {
    ChildJvm gateway = startKillableGateway("row of the live gateway");
    int port = awaitReady(gateway);

    assertThatThrownBy(() -> EmbeddedPostgresServer.start(dataDir))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("in use by another running process");
    PgUrl liveServer = PgUrl.of("localhost", port, "postgres", "postgres",
        EmbeddedPostgresServer.storedPassword(dataDir).orElseThrow());
    assertThat(query(liveServer, "SELECT note FROM kill_test")).containsExactly("row of the live gateway");
  }

  @Test
  void startRefusesADirectoryThisProcessAlreadyServes() throws Exception {
    try (EmbeddedPostgresServer first = EmbeddedPostgresServer.start(dataDir)) {
      assertThatThrownBy(() -> EmbeddedPostgresServer.start(dataDir))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("already in use by this process");
      assertThat(query(first.url(), "SELECT 1")).containsExactly("1");
    }
  }

  @Test
  void startRemovesAStalePidFileWithoutTouchingTheUnrelatedProcessThatReusedThePid() throws Exception {
    EmbeddedPostgresServer.start(dataDir).close();
    Process unrelated = new ProcessBuilder("sleep", "60").start();
    others.add(unrelated);
    // Without recovery, PostgreSQL sees a live pid and refuses: "lock file postmaster.pid already exists".
    Files.writeString(dataDir.resolve("postmaster.pid"), unrelated.pid() + "\n" + dataDir + "\n");

    try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dataDir)) {
      assertThat(query(server.url(), "SELECT 1")).containsExactly("1");
    }
    assertThat(unrelated.isAlive()).isTrue();
  }

  @Test
  void serverKeepsAcknowledgedWritesDurableAndListensOnLocalhostOnly() throws Exception {
    try (EmbeddedPostgresServer server = EmbeddedPostgresServer.startTemporary()) {
      assertThat(query(server.url(),
          "SELECT current_setting('fsync')",
          "SELECT current_setting('synchronous_commit')",
          "SELECT current_setting('full_page_writes')",
          "SELECT current_setting('listen_addresses')",
          "SELECT current_setting('unix_socket_directories')",
          "SELECT current_setting('max_connections')",
          "SELECT current_setting('shared_buffers')"))
          .containsExactly("on", "on", "on", "localhost", "", "100", "128MB");
    }
  }

  @Test
  void temporaryServerDeletesItsDataDirectoryOnClose() throws Exception {
    Path dir;
    try (EmbeddedPostgresServer server = EmbeddedPostgresServer.startTemporary()) {
      dir = server.dataDir();
      assertThat(dir.resolve("PG_VERSION")).exists();
    }
    assertThat(dir).doesNotExist();
  }

  private ChildJvm startKillableGateway(String note) {
    ChildJvm child = ChildJvm.start("killable gateway", List.of("-Xmx128m"), Map.of(),
        KillableGatewayMain.class.getName(), dataDir.toString(), note);
    children.add(child);
    return child;
  }

  /** Waits for "READY <port>". */
  private static int awaitReady(ChildJvm child) {
    String ready = child.awaitLine(line -> line.startsWith("READY "), Duration.ofSeconds(60));
    return Integer.parseInt(ready.substring("READY ".length()).trim());
  }

  private static void execute(PgUrl url, String... statements) throws SQLException {
    try (Connection connection = DriverManager.getConnection(url.jdbcUrl(), url.user(), url.password());
        Statement statement = connection.createStatement()) {
      for (String sql : statements) {
        statement.execute(sql);
      }
    }
  }

  /** The first column of every row of every query, in order. */
  private static List<String> query(PgUrl url, String... queries) throws SQLException {
    List<String> values = new ArrayList<>();
    try (Connection connection = DriverManager.getConnection(url.jdbcUrl(), url.user(), url.password());
        Statement statement = connection.createStatement()) {
      for (String sql : queries) {
        try (ResultSet rows = statement.executeQuery(sql)) {
          while (rows.next()) {
            values.add(rows.getString(1));
          }
        }
      }
    }
    return values;
  }
}
