package io.syncgateway.persistence.db;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationInfoService;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a database schema up to date with Flyway, or checks that it is.
 *
 * <p>Blocking (JDBC): run it before Vert.x starts or in {@code executeBlocking}, never on an event loop.
 */
public final class Migrations {

  public static final String DEFAULT_LOCATION = "classpath:db/migration";
  private static final String HISTORY_TABLE = "flyway_schema_history";
  /** Baselining a schema of other tables at 0 applies every migration of the gateway on top of them. */
  private static final String BEFORE_FIRST_MIGRATION = "0";

  private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);

  private Migrations() {
  }

  /** What a migration did: versions are null for a schema without the gateway's tables. */
  public record Outcome(String fromVersion, String toVersion, int applied) {
    /** "schema up to date (version 4)" or "migrated schema from version 2 to 4". */
    public String describe() {
      if (applied == 0) {
        return "schema up to date (version " + (fromVersion == null ? "none" : fromVersion) + ")";
      }
      return "migrated schema from " + (fromVersion == null ? "empty" : "version " + fromVersion)
          + " to version " + toVersion;
    }
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
    return run(configure(url, DatabaseSchema.DEFAULT, locations), url, DatabaseSchema.DEFAULT).applied();
  }

  /**
   * Applies the gateway's pending migrations in {@code schema} (created if missing).
   *
   * @param baseline whether a schema that already holds other tables, and no migration history, may
   *     receive the gateway's tables next to them; without it such a schema is refused
   * @throws IllegalStateException (one line for the operator) for a schema of foreign tables without {@code baseline}
   */
  public static Outcome migrate(PgUrl url, DatabaseSchema schema, boolean baseline) {
    FluentConfiguration flyway = configure(url, schema, DEFAULT_LOCATION);
    List<String> foreign = foreignTables(url, schema);
    if (!foreign.isEmpty()) {
      if (!baseline) {
        throw new IllegalStateException("schema '" + schema.name() + "' of database '" + url.database() + "' already "
            + "holds " + foreign.size() + " table(s) the gateway did not create (" + sample(foreign) + "): set "
            + "SYNC_DB_SCHEMA to a schema of its own (it is created), or run `java -jar sync-gateway.jar migrate "
            + "--baseline` to add the gateway's tables next to them");
      }
      LOG.warn("Schema '{}' holds {} other table(s) ({}): baselining it and adding the gateway's tables",
          schema.name(), foreign.size(), sample(foreign));
      flyway.baselineOnMigrate(true).baselineVersion(BEFORE_FIRST_MIGRATION)
          .baselineDescription("tables present before the gateway");
    }
    return run(flyway, url, schema);
  }

  /**
   * For a gateway that does not migrate: fails unless {@code schema} holds every migration of this
   * version. Needs only read access to the migration history.
   *
   * @return the schema's version
   * @throws IllegalStateException (one line for the operator) when migrations are pending
   */
  public static String requireUpToDate(PgUrl url, DatabaseSchema schema) {
    MigrationInfoService info = configure(url, schema, DEFAULT_LOCATION).load().info();
    MigrationInfo current = info.current();
    String version = current == null || current.getVersion() == null ? null : current.getVersion().getVersion();
    MigrationInfo[] pending = info.pending();
    if (pending.length > 0) {
      String needed = pending[pending.length - 1].getVersion().getVersion();
      throw new IllegalStateException("schema '" + schema.name() + "' of database '" + url.database() + "' is at "
          + (version == null ? "no version (no gateway tables)" : "version " + version) + ", this gateway needs "
          + "version " + needed + " and SYNC_DB_MIGRATE is false: run `java -jar sync-gateway.jar migrate` as a user "
          + "allowed to create tables, then start the gateway again");
    }
    return version;
  }

  private static FluentConfiguration configure(PgUrl url, DatabaseSchema schema, String... locations) {
    return Flyway.configure()
        .dataSource(url.jdbcUrl(), url.user(), url.password())
        .locations(locations)
        .schemas(schema.name())
        .defaultSchema(schema.name())
        // A misnamed script (e.g. "V2_add.sql") would otherwise be skipped silently.
        .validateMigrationNaming(true);
  }

  private static Outcome run(FluentConfiguration configuration, PgUrl url, DatabaseSchema schema) {
    Flyway flyway = configuration.load();
    MigrateResult result = flyway.migrate();
    String from = result.initialSchemaVersion;
    String to = result.migrationsExecuted == 0 ? from : result.targetSchemaVersion;
    Outcome outcome = new Outcome(from, to, result.migrationsExecuted);
    LOG.info("Database schema '{}' of {}: {}", schema.name(), url.redacted(), outcome.describe());
    return outcome;
  }

  /** Tables and views in {@code schema} when it has no migration history: none of them is the gateway's. */
  private static List<String> foreignTables(PgUrl url, DatabaseSchema schema) {
    String sql = "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        + "WHERE n.nspname = ? AND c.relkind IN ('r', 'p', 'v', 'm', 'f') ORDER BY c.relname";
    List<String> tables = new ArrayList<>();
    try (Connection connection = DriverManager.getConnection(url.jdbcUrl(), url.user(), url.password());
        PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setString(1, schema.name());
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          tables.add(rows.getString(1));
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("Could not inspect schema '" + schema.name() + "' of " + url.redacted(), e);
    }
    return tables.contains(HISTORY_TABLE) ? List.of() : tables;
  }

  private static String sample(List<String> tables) {
    return tables.size() <= 3 ? String.join(", ", tables) : String.join(", ", tables.subList(0, 3)) + ", ...";
  }
}
