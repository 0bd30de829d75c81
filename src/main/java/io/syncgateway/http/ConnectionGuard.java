package io.syncgateway.http;

import io.syncgateway.metrics.SyncMetrics;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import java.util.HashMap;
import java.util.Map;

/**
 * Keeps slow and idle clients from holding connections (PROTOCOL §7, docs/security.md): caps the
 * open connections of the process and of each client address (the excess is closed at once, before
 * a byte is read), and closes a connection whose request head or body does not arrive in time.
 * Idle keep-alive connections are closed by the server's own idle timeout. One guard per HTTP
 * verticle instance; its connections all live on that instance's event loop.
 */
final class ConnectionGuard {
  private final Vertx vertx;
  private final ConnectionCounts counts;
  private final Deadlines deadlines;
  private final SyncMetrics metrics;
  private final Map<HttpConnection, Watch> open = new HashMap<>();

  /**
   * @param headMs time for a request head to arrive: from the connection's start for the first
   *     request, and idle timeout + headMs from the previous answer on a kept-alive connection
   *     (the idle timeout closes a silent one first; this closes one that trickles)
   * @param bodyMs time for a whole request body, from the end of its head
   */
  record Deadlines(long headMs, long bodyMs, long idleMs) {}

  /** An open connection: its exchanges in progress, and its head timer while it has none. */
  private static final class Watch {
    long headTimer = -1;
    int exchanges;
  }

  ConnectionGuard(Vertx vertx, ConnectionCounts counts, Deadlines deadlines, SyncMetrics metrics) {
    this.vertx = vertx;
    this.counts = counts;
    this.deadlines = deadlines;
    this.metrics = metrics;
  }

  /** A new connection: counted and given a head deadline, or closed at once when a cap is reached. */
  boolean admit(HttpConnection connection) {
    String address = addressOf(connection);
    ConnectionCounts.Verdict verdict = counts.admit(address);
    if (verdict != ConnectionCounts.Verdict.ADMITTED) {
      metrics.connectionRefused(verdict == ConnectionCounts.Verdict.PROCESS_CAP ? "process_cap" : "address_cap");
      connection.close();
      return false;
    }
    Watch watch = new Watch();
    open.put(connection, watch);
    connection.closeHandler(closed -> {
      counts.release(address);
      cancelHead(open.remove(connection));
    });
    armHead(connection, watch, deadlines.headMs());
    return true;
  }

  /**
   * First route of every request: its head has arrived, so the head deadline stops; the body now
   * has its own. When the exchange ends, the connection waits for its next request head.
   */
  void requestStarted(RoutingContext rc) {
    HttpServerRequest request = rc.request();
    HttpConnection connection = request.connection();
    Watch watch = open.get(connection);
    if (watch != null) {
      cancelHead(watch);
      watch.exchanges++;
    }
    long bodyTimer = vertx.setTimer(deadlines.bodyMs(), fired -> {
      if (!request.isEnded()) {
        rc.put(RequestLog.STATUS_KEY, 408);
        rc.put(RequestLog.CODE_KEY, "body_timeout");
        metrics.connectionTimedOut("body");
        connection.close();
      }
    });
    rc.addEndHandler(done -> {
      vertx.cancelTimer(bodyTimer);
      if (watch != null && --watch.exchanges == 0 && open.containsKey(connection)) {
        armHead(connection, watch, deadlines.idleMs() + deadlines.headMs());
      }
    });
    rc.next();
  }

  private void armHead(HttpConnection connection, Watch watch, long delayMs) {
    cancelHead(watch);
    watch.headTimer = vertx.setTimer(delayMs, fired -> {
      watch.headTimer = -1;
      metrics.connectionTimedOut("head");
      connection.close();
    });
  }

  private void cancelHead(Watch watch) {
    if (watch != null && watch.headTimer >= 0) {
      vertx.cancelTimer(watch.headTimer);
      watch.headTimer = -1;
    }
  }

  private static String addressOf(HttpConnection connection) {
    SocketAddress remote = connection.remoteAddress();
    return remote == null || remote.hostAddress() == null ? "unknown" : remote.hostAddress();
  }
}
