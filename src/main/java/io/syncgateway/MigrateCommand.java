package io.syncgateway;

import io.syncgateway.config.GatewayConfig;
import io.syncgateway.config.Setting;
import io.syncgateway.persistence.db.DatabaseSchema;
import io.syncgateway.persistence.db.EmbeddedPostgresServer;
import io.syncgateway.persistence.db.Migrations;
import java.io.PrintStream;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code migrate [--baseline]}: brings the schema of {@code SYNC_PG_URL} (or of the embedded
 * database in {@code SYNC_DATA_DIR}) up to date and exits, so the gateway itself can run with
 * {@code SYNC_DB_MIGRATE=false} as a user without DDL rights. {@code --baseline} accepts a schema
 * that already holds other tables (see docs/operations.md, "Database setup and upgrades").
 */
public final class MigrateCommand {
  private static final Logger LOG = LoggerFactory.getLogger(MigrateCommand.class);

  private MigrateCommand() {}

  /** Prints one line (the outcome, or why it failed) and returns the exit status. */
  public static int run(List<String> args, GatewayConfig config, PrintStream out, PrintStream err) {
    boolean baseline = false;
    for (String arg : args) {
      if (arg.equals("--baseline")) {
        baseline = true;
      } else {
        err.println("error: unexpected argument '" + arg + "' (usage: migrate [--baseline])");
        return 2;
      }
    }
    EmbeddedPostgresServer embedded = null;
    try {
      DatabaseSchema schema = new DatabaseSchema(config.string(Setting.DB_SCHEMA));
      GatewayConfig target = config;
      if (config.string(Setting.PG_URL) == null) {
        embedded = Gateway.startEmbedded(config);
        target = config.with(Setting.PG_URL, embedded.url().connectionString());
      }
      Migrations.Outcome outcome = Migrations.migrate(Gateway.databaseUrl(target), schema, baseline);
      out.println(outcome.describe());
      return 0;
    } catch (RuntimeException e) {
      LOG.debug("Migration failed", e);
      err.println("sync-gateway migrate failed: " + StartupProblems.explain(e, config));
      return 1;
    } finally {
      if (embedded != null) {
        embedded.close();
      }
    }
  }
}
