package io.syncgateway.persistence;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Asks the database {@code SELECT 1} every interval on a connection of its own (not the pool's, so
 * a pool busy with long pushes never looks like an outage). A database that stops answering while
 * its socket stays open — a stalled server, a paused VM, a black-holed network — is reported within
 * one interval plus the timeout, instead of every request waiting for the breaker's call timeout.
 */
final class DatabaseHeartbeat {
  private final Vertx vertx;
  private final PgConnectOptions connectOptions;
  private final long timeoutMs;
  private final Consumer<Throwable> onSilence;
  private PgConnection connection;
  private boolean beating;

  DatabaseHeartbeat(Vertx vertx, PgConnectOptions connectOptions, long timeoutMs, Consumer<Throwable> onSilence) {
    this.vertx = vertx;
    this.connectOptions = connectOptions;
    this.timeoutMs = timeoutMs;
    this.onSilence = onSilence;
  }

  void start(long intervalMs) {
    vertx.setPeriodic(intervalMs, id -> beat());
  }

  private void beat() {
    if (beating) {
      return; // the previous beat is still waiting for its own timeout
    }
    beating = true;
    connection()
        .compose(open -> open.query("SELECT 1").execute())
        .timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .onComplete(answer -> {
          beating = false;
          if (answer.failed()) {
            dropConnection();
            onSilence.accept(answer.cause());
          }
        });
  }

  private Future<PgConnection> connection() {
    if (connection != null) {
      return Future.succeededFuture(connection);
    }
    return PgConnection.connect(vertx, connectOptions).onSuccess(open -> {
      connection = open;
      open.closeHandler(v -> {
        if (connection == open) {
          connection = null;
        }
      });
    });
  }

  private void dropConnection() {
    if (connection != null) {
      connection.close();
      connection = null;
    }
  }
}
