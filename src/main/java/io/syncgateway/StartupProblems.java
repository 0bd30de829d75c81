package io.syncgateway;

import io.syncgateway.config.GatewayConfig;
import io.syncgateway.config.Setting;
import io.syncgateway.persistence.db.PgUrl;
import java.net.BindException;
import java.net.ConnectException;
import java.sql.SQLException;

/**
 * Turns whatever stopped the gateway from starting into one line for the operator: the cause and a
 * hint naming the setting to change. Operators read the first line of a failed service's output; a
 * stack trace there buries the port or URL that was wrong.
 */
public final class StartupProblems {
  private StartupProblems() {}

  /** One line (no line breaks) explaining {@code failure} under {@code config} (as the operator configured it). */
  public static String explain(Throwable failure, GatewayConfig config) {
    StartupFailure known = find(failure, StartupFailure.class);
    if (known != null) {
      return firstLine(known.getMessage());
    }
    BindException bind = find(failure, BindException.class);
    if (bind != null) {
      return "cannot listen on port " + config.integer(Setting.HTTP_PORT) + " of " + config.string(Setting.HTTP_HOST)
          + " (" + firstLine(bind.getMessage()) + "): stop the process using it or set " + Setting.HTTP_PORT.env()
          + " to a free port (" + Setting.HTTP_HOST.env() + " for another address)";
    }
    SQLException sql = find(failure, SQLException.class);
    if (sql != null) {
      return databaseProblem(sql, config);
    }
    ConnectException connect = find(failure, ConnectException.class);
    if (connect != null) {
      return "cannot connect to PostgreSQL at " + database(config) + " (" + firstLine(connect.getMessage())
          + "): check " + Setting.PG_URL.env() + " and that the server accepts connections";
    }
    Throwable root = failure;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage() == null ? "" : ": " + firstLine(root.getMessage());
    if (root instanceof IllegalArgumentException || root instanceof IllegalStateException) {
      return firstLine(root.getMessage());
    }
    return root.getClass().getSimpleName() + message + " (set SYNC_LOG_LEVEL=DEBUG for the stack trace)";
  }

  private static String databaseProblem(SQLException sql, GatewayConfig config) {
    String state = sql.getSQLState() == null ? "" : sql.getSQLState();
    String detail = firstLine(sql.getMessage());
    if (state.startsWith("08")) {
      return "cannot connect to PostgreSQL at " + database(config) + " (" + detail + "): check "
          + Setting.PG_URL.env() + " and that the server accepts connections";
    }
    if (state.startsWith("28")) {
      return "PostgreSQL at " + database(config) + " refused the login (" + detail + "): check the user and "
          + "password in " + Setting.PG_URL.env();
    }
    if (state.equals("3D000")) {
      return "PostgreSQL at " + database(config) + ": " + detail + ": create it or fix the database name in "
          + Setting.PG_URL.env();
    }
    if (state.equals("42501")) {
      return "PostgreSQL at " + database(config) + " denied a privilege (" + detail + "): see \"Database setup "
          + "and upgrades\" in docs/operations.md";
    }
    return "PostgreSQL at " + database(config) + " failed (" + detail + (state.isEmpty() ? "" : ", SQLSTATE " + state)
        + "): check " + Setting.PG_URL.env();
  }

  /** The configured database, password masked; the embedded one when none is configured. */
  private static String database(GatewayConfig config) {
    String url = config.string(Setting.PG_URL);
    if (url == null) {
      return "the embedded server";
    }
    try {
      return PgUrl.parse(url).redacted();
    } catch (IllegalArgumentException e) {
      return Setting.PG_URL.env();
    }
  }

  private static <T extends Throwable> T find(Throwable failure, Class<T> type) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }

  private static String firstLine(String text) {
    if (text == null) {
      return "no details";
    }
    String trimmed = text.strip();
    int end = trimmed.indexOf('\n');
    return (end < 0 ? trimmed : trimmed.substring(0, end)).strip();
  }
}
