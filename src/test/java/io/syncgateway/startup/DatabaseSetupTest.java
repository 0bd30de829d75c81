package io.syncgateway.startup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.syncgateway.Gateway;
import io.syncgateway.Main;
import io.syncgateway.MigrateCommand;
import io.syncgateway.StartupProblems;
import io.syncgateway.config.GatewayConfig;
import io.syncgateway.config.Setting;
import io.syncgateway.persistence.db.PgUrl;
import io.syncgateway.testsupport.ChildJvm;
import io.syncgateway.testsupport.GatewayHarness;
import io.syncgateway.testsupport.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The migrate command, migration at start-up turned off, and a schema that already holds other tables. */
@DisplayName("Database setup and upgrades")
class DatabaseSetupTest {

  @Test
  @DisplayName("migrate creates the schema of an empty database, then reports it up to date on the next run")
  void migrateThenUpToDate() {
    PgUrl database = TestDatabase.emptyDatabase("migrate_cmd");

    Run first = migrate(database);
    Run second = migrate(database);

    assertThat(first.exitCode()).isZero();
    assertThat(first.output()).matches("migrated schema from empty to version \\d+\n");
    String version = first.output().replaceAll("\\D", "");
    assertThat(second.exitCode()).isZero();
    assertThat(second.output()).isEqualTo("schema up to date (version " + version + ")\n");
    assertThat(tables(database, "public")).contains("tasks", "feed_log", "flyway_schema_history");
  }

  @Test
  @DisplayName("`java … Main migrate` applies the migrations of SYNC_PG_URL, prints the outcome and exits 0")
  void migrateSubcommand() {
    PgUrl database = TestDatabase.emptyDatabase("migrate_main");
    try (ChildJvm child = ChildJvm.start("migrate", List.of(), Map.of("SYNC_CONFIG", "/nonexistent/gateway.json",
        "SYNC_PG_URL", database.connectionString()), Main.class.getName(), "migrate")) {
      assertThat(child.awaitExit(Duration.ofSeconds(60))).isZero();
      assertThat(child.output()).anyMatch(line -> line.matches("migrated schema from empty to version \\d+"));
    }
    assertThat(tables(database, "public")).contains("tasks");
  }

  @Test
  @DisplayName("a schema holding other tables is refused with one line advising SYNC_DB_SCHEMA or migrate --baseline")
  void foreignTablesRefused() {
    PgUrl database = TestDatabase.emptyDatabase("foreign_tables");
    execute(database, "CREATE TABLE invoices (id BIGINT PRIMARY KEY)");

    Run migration = migrate(database);
    Throwable start = catchThrowable(() -> GatewayHarness.start(database, Map.of()));

    assertThat(migration.exitCode()).isEqualTo(1);
    assertThat(migration.errors()).startsWith("sync-gateway migrate failed: ").contains("invoices")
        .contains("SYNC_DB_SCHEMA").contains("migrate --baseline").hasLineCount(1);
    assertThat(StartupProblems.explain(start, config(database))).contains("SYNC_DB_SCHEMA").doesNotContain("\n");
    assertThat(tables(database, "public")).containsExactly("invoices");
  }

  @Test
  @DisplayName("migrate --baseline adds the gateway's tables next to the other ones, and the gateway then serves")
  void baselineNextToForeignTables() {
    PgUrl database = TestDatabase.emptyDatabase("baseline");
    execute(database, "CREATE TABLE invoices (id BIGINT PRIMARY KEY)");

    Run migration = migrate(database, "--baseline");

    assertThat(migration.exitCode()).as(migration.errors()).isZero();
    assertThat(migration.output()).startsWith("migrated schema from version 0 to version ");
    assertThat(tables(database, "public")).contains("invoices", "tasks", "flyway_schema_history");
    try (GatewayHarness gateway = GatewayHarness.start(database, Map.of())) {
      SyncRoundTrip.pushThenPull(gateway);
    }
  }

  @Test
  @DisplayName("with SYNC_DB_MIGRATE=false a gateway refuses a schema that is behind, naming the migrate command, "
      + "and creates nothing")
  void noMigrationRefusesOutdatedSchema() {
    PgUrl database = TestDatabase.emptyDatabase("no_migrate");
    GatewayConfig config = config(database).with(Setting.DB_MIGRATE, false);

    Throwable failure = catchThrowable(() -> Gateway.start(config));

    assertThat(failure).isNotNull();
    assertThat(StartupProblems.explain(failure, config)).contains("SYNC_DB_MIGRATE is false")
        .contains("`java -jar sync-gateway.jar migrate`").doesNotContain("\n");
    assertThat(tables(database, "public")).isEmpty();
  }

  @Test
  @DisplayName("with SYNC_DB_MIGRATE=false a gateway serves a schema that is up to date")
  void noMigrationServesCurrentSchema() {
    PgUrl database = TestDatabase.emptyDatabase("no_migrate_ok");
    assertThat(migrate(database).exitCode()).isZero();

    try (GatewayHarness gateway = GatewayHarness.start(database, Map.of(Setting.DB_MIGRATE, "false"))) {
      SyncRoundTrip.pushThenPull(gateway);
    }
  }

  @Test
  @DisplayName("with SYNC_DB_MIGRATE=false a role holding only the documented grants (no DDL) serves")
  void servingRoleWithoutDdl() {
    PgUrl owner = TestDatabase.emptyDatabase("serving_role");
    assertThat(migrate(owner).exitCode()).isZero();
    String role = "sync_app_" + owner.database().substring(owner.database().lastIndexOf('_') + 1);
    execute(owner, "CREATE ROLE " + role + " LOGIN PASSWORD 'app-secret'");
    // The grants of docs/operations.md, "Database setup and upgrades".
    execute(owner, "GRANT CONNECT ON DATABASE \"" + owner.database() + "\" TO " + role);
    execute(owner, "GRANT USAGE ON SCHEMA public TO " + role);
    execute(owner, "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO " + role);
    execute(owner, "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO " + role);
    PgUrl app = PgUrl.of(owner.host(), owner.port(), owner.database(), role, "app-secret");

    try (GatewayHarness gateway = GatewayHarness.start(app, Map.of(Setting.DB_MIGRATE, "false"))) {
      SyncRoundTrip.pushThenPull(gateway);
    }
    Throwable ddl = catchThrowable(() -> execute(app, "CREATE TABLE not_allowed (id INT)"));
    assertThat(ddl).as("the serving role cannot create tables").hasRootCauseInstanceOf(SQLException.class);
  }

  private record Run(int exitCode, String output, String errors) {}

  private static Run migrate(PgUrl database, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exitCode = MigrateCommand.run(List.of(args), config(database),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(exitCode, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  static GatewayConfig config(PgUrl database) {
    return GatewayConfig.load(null, Map.of()).with(Setting.PG_URL, database.connectionString());
  }

  static void execute(PgUrl database, String sql) {
    try (Connection connection = DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  static List<String> tables(PgUrl database, String schema) {
    try (Connection connection = DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT tablename FROM pg_tables WHERE schemaname = '" + schema
            + "' ORDER BY tablename")) {
      List<String> names = new ArrayList<>();
      while (rows.next()) {
        names.add(rows.getString(1));
      }
      return names;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
