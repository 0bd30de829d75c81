package io.syncgateway.testsupport;

import io.syncgateway.persistence.db.EmbeddedPostgresServer;
import io.syncgateway.persistence.db.Migrations;
import io.syncgateway.persistence.db.PgUrl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One PostgreSQL server per test JVM, and a fresh migrated database per test class.
 *
 * <p>The server is chosen once, in this order, and logged:
 * <ol>
 *   <li>{@code SYNC_TEST_PG_URL} (an admin URL that may run CREATE DATABASE);</li>
 *   <li>Testcontainers {@code postgres:17-alpine}, when a Docker daemon answers;</li>
 *   <li>{@link EmbeddedPostgresServer#startTemporary()}.</li>
 * </ol>
 */
public final class TestDatabase {

  public static final String ENV_URL = "SYNC_TEST_PG_URL";
  private static final String IMAGE = "postgres:17-alpine";

  private static final Logger LOG = LoggerFactory.getLogger(TestDatabase.class);

  /** Databases created on an external server, dropped at JVM exit so repeated runs do not pile them up. */
  private static final List<String> CREATED_ON_EXTERNAL = new CopyOnWriteArrayList<>();

  private static PgUrl server;
  private static boolean external;

  private TestDatabase() {
  }

  /** Admin URL of the shared server, started on first use. */
  public static synchronized PgUrl server() {
    if (server == null) {
      server = startServer();
    }
    return server;
  }

  /** A new, uniquely named database with the gateway's migrations applied. */
  public static PgUrl freshDatabase(String prefix) {
    return freshDatabase(prefix, Migrations.DEFAULT_LOCATION);
  }

  /** A new, uniquely named database with the migrations from {@code locations} applied. */
  public static PgUrl freshDatabase(String prefix, String... locations) {
    PgUrl url = emptyDatabase(prefix);
    Migrations.migrate(url, locations);
    return url;
  }

  /** A new, uniquely named database without any migration: as a DBA hands it over. */
  public static PgUrl emptyDatabase(String prefix) {
    PgUrl admin = server();
    String name = uniqueName(prefix);
    try (Connection connection = DriverManager.getConnection(admin.jdbcUrl(), admin.user(), admin.password());
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE DATABASE \"" + name + "\"");
    } catch (SQLException e) {
      throw new IllegalStateException("Could not create test database " + name + " on " + admin.redacted(), e);
    }
    if (external) {
      CREATED_ON_EXTERNAL.add(name);
    }
    return admin.withDatabase(name);
  }

  /** Lower-case identifier, at most 63 bytes (PostgreSQL's limit), random suffix so parallel runs never clash. */
  private static String uniqueName(String prefix) {
    String base = prefix.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    if (base.isEmpty() || !Character.isLetter(base.charAt(0))) {
      base = "t_" + base;
    }
    String suffix = "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    return base.substring(0, Math.min(base.length(), 63 - suffix.length())) + suffix;
  }

  private static PgUrl startServer() {
    String externalUrl = System.getenv(ENV_URL);
    if (externalUrl != null && !externalUrl.isBlank()) {
      PgUrl url = PgUrl.parse(externalUrl);
      external = true;
      LOG.info("Test PostgreSQL: external server from {} at {}", ENV_URL, url.redacted());
      Runtime.getRuntime().addShutdownHook(new Thread(() -> dropCreatedDatabases(url), "test-db-cleanup"));
      return url;
    }
    if (dockerAvailable()) {
      PostgreSQLContainer container = new PostgreSQLContainer(IMAGE);
      container.start();
      PgUrl url = PgUrl.of(container.getHost(), container.getMappedPort(PostgreSQLContainer.POSTGRESQL_PORT),
          container.getDatabaseName(), container.getUsername(), container.getPassword());
      LOG.info("Test PostgreSQL: Testcontainers {} at {}", IMAGE, url.redacted());
      Runtime.getRuntime().addShutdownHook(new Thread(container::stop, "test-db-container-stop"));
      return url;
    }
    EmbeddedPostgresServer embedded = EmbeddedPostgresServer.startTemporary();
    LOG.info("Test PostgreSQL: embedded server (no {} set, no Docker) at {}", ENV_URL, embedded.url().redacted());
    Runtime.getRuntime().addShutdownHook(new Thread(embedded::close, "test-db-embedded-stop"));
    return embedded.url();
  }

  private static boolean dockerAvailable() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (Throwable t) {
      return false;
    }
  }

  private static void dropCreatedDatabases(PgUrl admin) {
    try (Connection connection = DriverManager.getConnection(admin.jdbcUrl(), admin.user(), admin.password());
        Statement statement = connection.createStatement()) {
      for (String name : CREATED_ON_EXTERNAL) {
        statement.execute("DROP DATABASE IF EXISTS \"" + name + "\" WITH (FORCE)");
      }
    } catch (SQLException e) {
      LOG.warn("Could not drop test databases {} on {}", CREATED_ON_EXTERNAL, admin.redacted(), e);
    }
  }
}
