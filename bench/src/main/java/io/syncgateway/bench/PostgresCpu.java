package io.syncgateway.bench;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;

/**
 * CPU seconds of a PostgreSQL server running on this machine, from /proc: the postmaster, its live
 * children (backends, WAL writer, checkpointer, ...) and the children that ended. The postmaster is
 * found as the parent of the backend that answers {@code pg_backend_pid()}.
 */
final class PostgresCpu {
  private static final String POSTGRES = "postgres";

  private final ProcessStats postmaster;
  private final double atStart;

  private PostgresCpu(ProcessStats postmaster) {
    this.postmaster = postmaster;
    this.atStart = serverCpuSeconds();
  }

  /** The server behind {@code options}, or null if it does not run on this machine (or not visibly). */
  static PostgresCpu locate(Vertx vertx, PgConnectOptions options) {
    PgConnection connection = PgConnection.connect(vertx, options).await();
    try {
      long backendPid = connection.query("SELECT pg_backend_pid()").execute().await()
          .iterator().next().getInteger(0);
      ProcessStats backend = new ProcessStats(backendPid);
      ProcessStats postmaster = new ProcessStats(backend.parentPid());
      boolean local = backend.command().equals(POSTGRES) && postmaster.command().equals(POSTGRES);
      return local ? new PostgresCpu(postmaster) : null;
    } finally {
      connection.close().await();
    }
  }

  long postmasterPid() {
    return postmaster.pid();
  }

  /** CPU seconds of the whole server since it was located. */
  double cpuSeconds() {
    return serverCpuSeconds() - atStart;
  }

  private double serverCpuSeconds() {
    double seconds = postmaster.cpuSecondsWithEndedChildren();
    for (ProcessStats child : postmaster.children()) {
      seconds += child.cpuSecondsWithEndedChildren();
    }
    return seconds;
  }
}
