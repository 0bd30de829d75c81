package io.syncgateway.persistence.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The embedded PostgreSQL requires its superuser password")
class EmbeddedPostgresPasswordTest {

  @TempDir
  Path tempDir;

  private Path dataDir() {
    return tempDir.resolve("pgdata");
  }

  @AfterEach
  void stopLeftovers() throws Exception {
    if (Files.exists(dataDir().resolve("postmaster.pid"))) {
      PostmasterRecovery.recover(dataDir());
    }
  }

  @Test
  @DisplayName("a connection without a password is refused")
  void connectionWithoutPasswordIsRefused() {
    try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dataDir())) {
      assertThatThrownBy(() -> selectOne(server.url().port(), null))
          .isInstanceOf(SQLException.class).hasMessageContaining("password");
    }
  }

  @Test
  @DisplayName("a connection with the password from the data directory's password file is accepted")
  void connectionWithThePasswordFileIsAccepted() throws Exception {
    try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dataDir())) {
      String password = storedPassword();
      assertThat(password).hasSizeGreaterThanOrEqualTo(40).isEqualTo(server.url().password());
      assertThat(selectOne(server.url().port(), password)).isEqualTo(1);
      assertThatThrownBy(() -> selectOne(server.url().port(), password + "x")).isInstanceOf(SQLException.class);
    }
  }

  @Test
  @DisplayName("the password file is readable and writable by its owner only")
  void passwordFileIsOwnerOnly() throws Exception {
    EmbeddedPostgresServer.start(dataDir()).close();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir().resolve("postgres-password"))))
        .isEqualTo("rw-------");
  }

  @Test
  @DisplayName("a restart on the same data directory keeps the password and still requires it")
  void restartKeepsThePassword() throws Exception {
    EmbeddedPostgresServer.start(dataDir()).close();
    String password = storedPassword();

    try (EmbeddedPostgresServer restarted = EmbeddedPostgresServer.start(dataDir())) {
      assertThat(restarted.url().password()).isEqualTo(password);
      assertThat(selectOne(restarted.url().port(), password)).isEqualTo(1);
      assertThatThrownBy(() -> selectOne(restarted.url().port(), null)).isInstanceOf(SQLException.class);
    }
  }

  @Test
  @DisplayName("a cluster created before passwords (trust authentication) gets a password on its next start")
  void trustingClusterFromBeforeGetsAPassword() throws Exception {
    // What earlier gateway versions created: zonky's defaults, "initdb -A trust".
    EmbeddedPostgres.builder().setDataDirectory(dataDir()).setCleanDataDirectory(false)
        .setRegisterShutdownHook(false).start().close();

    try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dataDir())) {
      assertThatThrownBy(() -> selectOne(server.url().port(), null)).isInstanceOf(SQLException.class);
      assertThat(selectOne(server.url().port(), storedPassword())).isEqualTo(1);
    }
  }

  @Test
  @DisplayName("deleting the password file rotates the password on the next start")
  void deletingThePasswordFileRotatesIt() throws Exception {
    EmbeddedPostgresServer.start(dataDir()).close();
    String old = storedPassword();
    Files.delete(dataDir().resolve("postgres-password"));

    try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dataDir())) {
      String rotated = storedPassword();
      assertThat(rotated).isNotEqualTo(old);
      assertThat(selectOne(server.url().port(), rotated)).isEqualTo(1);
      assertThatThrownBy(() -> selectOne(server.url().port(), old)).isInstanceOf(SQLException.class);
    }
  }

  private String storedPassword() {
    return EmbeddedPostgresServer.storedPassword(dataDir()).orElseThrow();
  }

  private static int selectOne(int port, String password) throws SQLException {
    PgUrl url = PgUrl.of("localhost", port, "postgres", "postgres", password);
    try (Connection connection = DriverManager.getConnection(url.jdbcUrl(), url.user(), password);
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT 1")) {
      rows.next();
      return rows.getInt(1);
    }
  }
}
