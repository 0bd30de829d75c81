package io.syncgateway.testsupport;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.util.EnumMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy between clients and a gateway that injects faults per connection, chosen by a
 * seeded random: drop the connection mid-request, delay the request, or forward the request and cut
 * the connection when the response starts (the server committed; the client sees a failure).
 * Clients should not keep connections alive, so every request gets its own draw.
 */
public final class FaultProxy implements AutoCloseable {
  public enum Fault { NONE, DROP_MID_REQUEST, DELAY, CUT_RESPONSE }

  private final Vertx vertx;
  private final NetServer server;
  private final NetClient client;
  private final Random random;
  private final int targetPort;
  private final Map<Fault, AtomicLong> counts = new EnumMap<>(Fault.class);
  private volatile double dropRate;
  private volatile double delayRate;
  private volatile double cutRate;
  private volatile boolean enabled = true;

  private FaultProxy(Vertx vertx, int targetPort, long seed) {
    this.vertx = vertx;
    this.targetPort = targetPort;
    this.random = new Random(seed);
    this.client = vertx.createNetClient();
    this.server = vertx.createNetServer().connectHandler(this::proxy);
    for (Fault fault : Fault.values()) {
      counts.put(fault, new AtomicLong());
    }
  }

  public static FaultProxy start(Vertx vertx, int targetPort, long seed) {
    FaultProxy proxy = new FaultProxy(vertx, targetPort, seed);
    proxy.server.listen(0, "127.0.0.1").await();
    return proxy;
  }

  public int port() {
    return server.actualPort();
  }

  public FaultProxy rates(double drop, double delay, double cut) {
    this.dropRate = drop;
    this.delayRate = delay;
    this.cutRate = cut;
    return this;
  }

  /** With faults off the proxy forwards everything untouched. */
  public void setEnabled(boolean on) {
    enabled = on;
  }

  public long count(Fault fault) {
    return counts.get(fault).get();
  }

  public long connections() {
    return counts.values().stream().mapToLong(AtomicLong::get).sum();
  }

  private Fault draw() {
    if (!enabled) {
      return Fault.NONE;
    }
    synchronized (random) {
      double r = random.nextDouble();
      if (r < dropRate) {
        return Fault.DROP_MID_REQUEST;
      }
      if (r < dropRate + cutRate) {
        return Fault.CUT_RESPONSE;
      }
      return r < dropRate + cutRate + delayRate ? Fault.DELAY : Fault.NONE;
    }
  }

  private long delayMs() {
    synchronized (random) {
      return 20 + random.nextInt(200);
    }
  }

  private void proxy(NetSocket downstream) {
    Fault fault = draw();
    counts.get(fault).incrementAndGet();
    downstream.pause();
    client.connect(targetPort, "127.0.0.1").onComplete(connected -> {
      if (connected.failed()) {
        downstream.close();
        return;
      }
      NetSocket upstream = connected.result();
      wire(fault, downstream, upstream);
      if (fault == Fault.DELAY) {
        vertx.setTimer(delayMs(), t -> downstream.resume());
      } else {
        downstream.resume();
      }
    });
  }

  private void wire(Fault fault, NetSocket downstream, NetSocket upstream) {
    downstream.handler(bytes -> {
      if (fault == Fault.DROP_MID_REQUEST) {
        // Half the first chunk reaches the server, then both sides lose the connection.
        upstream.write(bytes.getBuffer(0, bytes.length() / 2));
        upstream.close();
        downstream.close();
      } else {
        upstream.write(bytes);
      }
    });
    upstream.handler(bytes -> {
      if (fault == Fault.CUT_RESPONSE) {
        upstream.close();
        downstream.close();
      } else {
        downstream.write(bytes);
      }
    });
    downstream.closeHandler(v -> upstream.close());
    upstream.closeHandler(v -> downstream.close());
    downstream.exceptionHandler(e -> upstream.close());
    upstream.exceptionHandler(e -> downstream.close());
  }

  @Override
  public void close() {
    server.close().await();
    client.close().await();
  }
}
