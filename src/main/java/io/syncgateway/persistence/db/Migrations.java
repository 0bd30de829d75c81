package io.syncgateway.persistence.db;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a database schema up to date with Flyway.
 *
 * <p>Blocking (JDBC): run it before Vert.x starts or in {@code executeBlocking}, never on an event loop.
 */
public final class Migrations {

  public static final String DEFAULT_LOCATION = "classpath:db/migration";

  private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);

  private Migrations() {
  }

  /** Applies the gateway's migrations from {@value #DEFAULT_LOCATION}; returns how many were applied. */
  public static int migrate(PgUrl url) {
    return migrate(url, DEFAULT_LOCATION);
  }

  /** Applies pending migrations from {@code locations} (Flyway syntax); returns how many were applied. */
  public static int migrate(PgUrl url, String... locations) {
    if (locations.length == 0) {
      throw new IllegalArgumentException("at least one migration location is required");
    }
    Flyway flyway = Flyway.configure()
        .dataSource(url.jdbcUrl(), url.user(), url.password())
        .locations(locations)
        // A misnamed script (e.g. "V2_add.sql") would otherwise be skipped silently.
        .validateMigrationNaming(true)
        .load();
    MigrateResult result = flyway.migrate();
    LOG.info("Applied {} migration(s) to {}: schema version {} -> {}", result.migrationsExecuted, url.redacted(),
        result.initialSchemaVersion == null ? "none" : result.initialSchemaVersion,
        result.targetSchemaVersion == null ? "none" : result.targetSchemaVersion);
    return result.migrationsExecuted;
  }
}
