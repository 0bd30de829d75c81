package io.syncgateway.persistence.db;

import io.vertx.pgclient.PgConnectOptions;
import java.util.regex.Pattern;

/**
 * The PostgreSQL schema that holds the gateway's tables ({@code SYNC_DB_SCHEMA}). Migrations create
 * their tables there and every pooled connection starts with it as its {@code search_path}, so the
 * gateway's unqualified SQL works in any schema.
 *
 * @param name a lower-case SQL identifier: PostgreSQL folds unquoted names to lower case, and Flyway
 *     quotes them, so "Sync" would be two different schemas on the two paths
 */
public record DatabaseSchema(String name) {
  // Before DEFAULT: static fields initialize in order, and DEFAULT's constructor reads it.
  private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
  public static final DatabaseSchema DEFAULT = new DatabaseSchema("public");

  public DatabaseSchema {
    if (name == null || !IDENTIFIER.matcher(name).matches() || name.startsWith("pg_")) {
      throw new IllegalArgumentException("SYNC_DB_SCHEMA must be a lower-case identifier (letters, digits, _; "
          + "at most 63; not pg_...), got '" + name + "'");
    }
  }

  /** {@code options} with this schema as the session's search_path, set in the connection's start-up packet. */
  public PgConnectOptions applyTo(PgConnectOptions options) {
    return options.addProperty("search_path", name);
  }
}
