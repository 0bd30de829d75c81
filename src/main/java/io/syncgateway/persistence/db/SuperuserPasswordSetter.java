package io.syncgateway.persistence.db;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * Gives the superuser of a running, still trusting server a password and makes the server require it: the
 * {@code ALTER ROLE} goes over a trusted connection, then pg_hba.conf is rewritten and reloaded.
 */
final class SuperuserPasswordSetter {

  private static final Logger LOG = LoggerFactory.getLogger(SuperuserPasswordSetter.class);
  private static final String SUPERUSER = "postgres";
  /** pg_reload_conf() only signals the postmaster; the new rules apply a moment later. */
  private static final Duration RELOAD_WAIT = Duration.ofSeconds(10);

  private SuperuserPasswordSetter() {
  }

  static void setAndRequire(Path dataDir, int port, String password) {
    PgUrl trusted = PgUrl.of("localhost", port, "postgres", SUPERUSER, null);
    try (Connection connection = DriverManager.getConnection(trusted.jdbcUrl(), SUPERUSER, null);
        Statement statement = connection.createStatement()) {
      // Utility statements take no parameters. The password is base64url, but quote it properly all the same.
      statement.execute("SET password_encryption = 'scram-sha-256'");
      statement.execute("ALTER ROLE " + SUPERUSER + " PASSWORD '" + password.replace("'", "''") + "'");
      ClientAuthentication.requirePassword(dataDir);
      statement.execute("SELECT pg_reload_conf()");
    } catch (SQLException e) {
      throw new IllegalStateException("Could not set the superuser password of PostgreSQL in " + dataDir, e);
    }
    awaitPasswordRequired(trusted, dataDir);
    LOG.info("PostgreSQL in {} now requires the superuser password", dataDir);
  }

  /** Fails closed: a server that still lets clients in without the password is an error, not a warning. */
  private static void awaitPasswordRequired(PgUrl trusted, Path dataDir) {
    long deadline = System.nanoTime() + RELOAD_WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      try (Connection ignored = DriverManager.getConnection(trusted.jdbcUrl(), SUPERUSER, null)) {
        Thread.sleep(50);
      } catch (SQLException refused) {
        return;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    throw new IllegalStateException("PostgreSQL in " + dataDir + " still accepts connections without a password"
        + " after pg_hba.conf was rewritten and reloaded");
  }
}
