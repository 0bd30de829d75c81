package io.syncgateway.testsupport;

import io.syncgateway.persistence.db.PgUrl;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy in front of a database that can stall: while stalled it still accepts connections but
 * forwards no byte in either direction, like a database host that hangs without closing sockets.
 * Bytes read during a stall are delivered, in order, once it resumes.
 */
public final class StallingProxy implements AutoCloseable {
  private final ServerSocket listener;
  private final String targetHost;
  private final int targetPort;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final Object gate = new Object();
  private boolean stalled;
  private volatile byte[] stallBefore;

  private StallingProxy(String targetHost, int targetPort) {
    try {
      this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    daemon("proxy-accept", this::acceptLoop);
  }

  public static StallingProxy inFrontOf(PgUrl database) {
    return new StallingProxy(database.host(), database.port());
  }

  /** The database URL as seen through the proxy. */
  public PgUrl url(PgUrl database) {
    return PgUrl.of("127.0.0.1", listener.getLocalPort(), database.database(), database.user(), database.password());
  }

  public void stall() {
    synchronized (gate) {
      stalled = true;
    }
  }

  /**
   * Arms a stall that starts when a client sends bytes containing {@code marker} (e.g. the text of a
   * SQL command): those bytes and everything after them wait until {@link #resume()}.
   */
  public void stallWhenClientSends(String marker) {
    stallBefore = marker.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  }

  public void resume() {
    synchronized (gate) {
      stalled = false;
      gate.notifyAll();
    }
  }

  private void awaitFlowing() throws InterruptedException {
    synchronized (gate) {
      while (stalled) {
        gate.wait();
      }
    }
  }

  private void acceptLoop() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        sockets.add(client);
        daemon("proxy-connect", () -> connect(client));
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void connect(Socket client) {
    try {
      awaitFlowing();
      Socket server = new Socket(targetHost, targetPort);
      sockets.add(server);
      daemon("proxy-up", () -> pump(client, server, true));
      daemon("proxy-down", () -> pump(server, client, false));
    } catch (IOException | InterruptedException e) {
      closeQuietly(client);
    }
  }

  private void pump(Socket from, Socket to, boolean fromClient) {
    byte[] buffer = new byte[16 * 1024];
    try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
      int read;
      while ((read = in.read(buffer)) >= 0) {
        if (fromClient) {
          stallIfMarked(buffer, read);
        }
        awaitFlowing();
        out.write(buffer, 0, read);
        out.flush();
      }
    } catch (IOException | InterruptedException e) {
      // a side closed: close the other below
    } finally {
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  private void stallIfMarked(byte[] buffer, int length) {
    byte[] marker = stallBefore;
    if (marker != null && indexOf(buffer, length, marker) >= 0) {
      stallBefore = null;
      stall();
    }
  }

  private static int indexOf(byte[] buffer, int length, byte[] marker) {
    outer:
    for (int i = 0; i + marker.length <= length; i++) {
      for (int j = 0; j < marker.length; j++) {
        if (buffer[i + j] != marker[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private static void daemon(String name, Runnable body) {
    Thread thread = new Thread(body, name);
    thread.setDaemon(true);
    thread.start();
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // already closed
    }
  }

  @Override
  public void close() {
    resume();
    try {
      listener.close();
    } catch (IOException ignored) {
      // already closed
    }
    sockets.forEach(StallingProxy::closeQuietly);
  }
}
