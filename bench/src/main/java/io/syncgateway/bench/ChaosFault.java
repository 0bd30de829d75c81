package io.syncgateway.bench;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * One fault of a chaos run. {@link #start()} and {@link #stop()} return quickly (work runs on threads
 * of the fault's own) and {@link #stop()} is bounded in time; it may be called after a failed start.
 */
interface ChaosFault {
  void start();

  /** Ends the fault: closes its connections, resumes the database ...; what it did, for the report. */
  JsonObject stop();

  /** True if the fault is over the moment it starts (a kill): recovery counts from its start. */
  default boolean instantaneous() {
    return false;
  }

  /** The HTTP requests the fault sent, or null if it sends none through the HTTP client. */
  default Measurement requests() {
    return null;
  }

  /** Thousands of TCP connections that send nothing and stay open until the fault ends. */
  final class IdleFlood implements ChaosFault {
    private static final int CONNECT_TIMEOUT_MS = 1_000;
    private static final int SAMPLE = 200;
    private final InetSocketAddress address;
    private final int count;
    private final List<Socket> sockets = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger failed = new AtomicInteger();
    private volatile boolean stopping;
    private Thread connector;

    IdleFlood(URI base, int count) {
      this.address = new InetSocketAddress(base.getHost(), base.getPort());
      this.count = count;
    }

    @Override
    public void start() {
      connector = thread("chaos-idle-flood", () -> {
        for (int i = 0; i < count && !stopping; i++) {
          Socket socket = new Socket();
          try {
            socket.connect(address, CONNECT_TIMEOUT_MS);
            sockets.add(socket);
          } catch (IOException e) {
            failed.incrementAndGet();
            closeQuietly(socket);
          }
        }
      });
    }

    @Override
    public JsonObject stop() {
      stopping = true;
      join(connector, CONNECT_TIMEOUT_MS * 3L);
      List<Socket> open;
      synchronized (sockets) {
        open = new ArrayList<>(sockets);
      }
      // Whether the gateway closed idle connections: a read on a sample (EOF: closed by the server).
      int sampled = 0;
      int closedByServer = 0;
      for (int i = 0; i < open.size() && sampled < SAMPLE; i += Math.max(1, open.size() / SAMPLE), sampled++) {
        closedByServer += closedByPeer(open.get(i)) ? 1 : 0;
      }
      open.forEach(ChaosFault::closeQuietly);
      return new JsonObject().put("connectionsOpened", open.size()).put("connectFailures", failed.get())
          .put("sampledAtEnd", sampled).put("closedByGatewayOfSampled", closedByServer);
    }
  }

  /**
   * Slowloris: half of the connections trickle request headers that never end, half send complete
   * headers of a push with a body they trickle a byte at a time; every 500 ms one more byte.
   */
  final class SlowClients implements ChaosFault {
    private static final long TICK_MS = 500;
    private static final String ENDLESS_HEADERS = "X-Slow: 1\r\n";
    private final InetSocketAddress address;
    private final int count;
    private final String token;
    private final Map<String, Integer> answers = new TreeMap<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile int connectFailures;
    private volatile int closedByGateway;
    private volatile long bytesSent;
    private volatile boolean stopping;
    private Thread ticker;

    SlowClients(URI base, int count, String token) {
      this.address = new InetSocketAddress(base.getHost(), base.getPort());
      this.count = count;
      this.token = token;
    }

    @Override
    public void start() {
      ticker = thread("chaos-slow-clients", this::run);
    }

    private void run() {
      List<byte[]> trickles = new ArrayList<>();
      for (int i = 0; i < count && !stopping; i++) {
        boolean slowBody = i % 2 == 1;
        String head = "POST /api/sync/push HTTP/1.1\r\nHost: " + address.getHostString() + "\r\n" + (slowBody
            ? "Authorization: Bearer " + token + "\r\nContent-Type: application/json\r\nContent-Length: 65536\r\n\r\n"
            : "");
        Socket socket = new Socket();
        try {
          socket.connect(address, 1_000);
          socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
          sockets.add(socket);
          trickles.add((slowBody ? "{\"deviceId\":\"slow-" + i + "\",  " : ENDLESS_HEADERS)
              .getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
          connectFailures++;
          closeQuietly(socket);
        }
      }
      Set<Socket> done = new HashSet<>();
      for (long tick = 0; !stopping; tick++) {
        for (int i = 0; i < sockets.size(); i++) {
          Socket socket = sockets.get(i);
          if (!done.contains(socket) && !step(socket, trickles.get(i), tick)) {
            done.add(socket);
          }
        }
        sleep(TICK_MS);
      }
    }

    /** One more byte, unless the gateway answered or closed the connection; false once it did. */
    private boolean step(Socket socket, byte[] trickle, long tick) {
      try {
        InputStream in = socket.getInputStream();
        if (in.available() > 0) {
          byte[] answer = in.readNBytes(Math.min(in.available(), 64));
          String line = new String(answer, StandardCharsets.US_ASCII);
          String status = line.startsWith("HTTP/") && line.length() >= 12 ? line.substring(9, 12) : "other";
          synchronized (answers) {
            answers.merge(status, 1, Integer::sum);
          }
          return false;
        }
        OutputStream out = socket.getOutputStream();
        // after the headers a slow body repeats its last byte (a space): valid JSON whitespace
        out.write(trickle[(int) Math.min(tick, trickle.length - 1)]);
        out.flush();
        bytesSent++;
        return true;
      } catch (IOException e) {
        closedByGateway++;
        return false;
      }
    }

    @Override
    public JsonObject stop() {
      stopping = true;
      join(ticker, 2 * TICK_MS + 3_000L);
      sockets.forEach(ChaosFault::closeQuietly);
      JsonObject answered = new JsonObject();
      synchronized (answers) {
        answers.forEach(answered::put);
      }
      return new JsonObject().put("connections", sockets.size()).put("connectFailures", connectFailures)
          .put("bytesTrickled", bytesSent).put("answeredByGateway", answered).put("closedByGateway", closedByGateway);
    }
  }

  /**
   * Closed-loop HTTP traffic until the fault ends: each device sends its next request when the previous
   * one is answered (the flooding organization, the maximum-size bodies).
   */
  final class ClosedLoopFault implements ChaosFault {
    private final String name;
    private final List<Supplier<Future<Outcome>>> devices;
    private final long joinMs;
    private final JsonObject details;
    private volatile boolean stopping;
    private volatile Measurement measurement;
    private Thread driver;

    /**
     * @param devices per device, what sends its next request
     * @param joinMs the longest wait for requests in flight when the fault ends (their timeout)
     */
    ClosedLoopFault(String name, List<Supplier<Future<Outcome>>> devices, long joinMs, JsonObject details) {
      this.name = name;
      this.devices = devices;
      this.joinMs = joinMs;
      this.details = details;
    }

    @Override
    public void start() {
      List<LoadDevice> load = devices.stream().map(next -> (LoadDevice) new LoadDevice() {
        @Override
        public boolean hasNext() {
          return !stopping;
        }

        @Override
        public Future<Outcome> sendNext() {
          return next.get();
        }
      }).toList();
      driver = thread("chaos-" + name, () -> measurement = ClosedLoop.run(name, name, load));
    }

    /** Sends no new requests; those in flight go on (they are counted when {@link #requests()} is read). */
    @Override
    public JsonObject stop() {
      stopping = true;
      return details.copy().put("devices", devices.size());
    }

    /** Waits for the requests in flight (at most their timeout), then what was sent; null if they did not end. */
    @Override
    public Measurement requests() {
      join(driver, joinMs);
      return measurement;
    }
  }

  /** Every PostgreSQL process stopped (SIGSTOP) while the fault is active, then resumed (SIGCONT). */
  final class DatabaseStall implements ChaosFault {
    private final ChaosPostgres postgres;
    private final Set<Long> stopped = new HashSet<>();
    private boolean signalled;

    DatabaseStall(ChaosPostgres postgres) {
      this.postgres = postgres;
    }

    @Override
    public synchronized void start() {
      stopped.addAll(postgres.processes());
      signalled = ChaosPostgres.signal("STOP", stopped);
    }

    @Override
    public synchronized JsonObject stop() {
      Set<Long> resume = new HashSet<>(stopped);
      resume.addAll(postgres.processes());
      boolean resumed = ChaosPostgres.signal("CONT", resume);
      return new JsonObject().put("processesStopped", stopped.size()).put("stopSignalled", signalled)
          .put("resumed", resumed);
    }
  }

  /** kill -9 of the postmaster; the gateway is expected to start PostgreSQL again. */
  final class PostmasterKill implements ChaosFault {
    private final ChaosPostgres postgres;
    private Long killed;
    private boolean signalled;

    PostmasterKill(ChaosPostgres postgres) {
      this.postgres = postgres;
    }

    @Override
    public synchronized void start() {
      postgres.postmasterPid().ifPresent(pid -> {
        killed = pid;
        signalled = ChaosPostgres.signal("KILL", List.of(pid));
      });
    }

    @Override
    public boolean instantaneous() {
      return true;
    }

    @Override
    public synchronized JsonObject stop() {
      JsonObject details = new JsonObject().put("killedPid", killed).put("killSignalled", signalled);
      postgres.postmasterPid().ifPresentOrElse(
          pid -> details.put("postmasterAtEnd", pid).put("postgresRestarted", killed != null && pid != killed),
          () -> details.putNull("postmasterAtEnd").put("postgresRestarted", false));
      return details;
    }
  }

  /** Starts a daemon thread. */
  static Thread thread(String name, Runnable body) {
    Thread thread = new Thread(body, name);
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  private static boolean closedByPeer(Socket socket) {
    try {
      socket.setSoTimeout(1);
      return socket.getInputStream().read() == -1;
    } catch (SocketTimeoutException stillOpen) {
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }

  private static void join(Thread thread, long millis) {
    if (thread == null) {
      return;
    }
    try {
      thread.join(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
