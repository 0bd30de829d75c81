package io.syncgateway.http;

import io.vertx.core.Vertx;
import io.vertx.core.shareddata.Shareable;
import java.lang.management.ManagementFactory;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Open HTTP connections of the whole process, in total and per client address, against their caps.
 * Every HTTP verticle instance has its own server on the shared port, so the counts live in one
 * object shared through Vert.x local shared data ({@link #forProcess}).
 */
final class ConnectionCounts implements Shareable {
  /** What to do with a connection that has just arrived. */
  enum Verdict { ADMITTED, PROCESS_CAP, ADDRESS_CAP }

  /** File descriptors kept for everything that is not a client connection: pool, logs, jars. */
  private static final double CLIENT_SHARE_OF_DESCRIPTORS = 0.75;
  private static final String SHARED_MAP = "sync.http";
  private static final String SHARED_KEY = "connection-counts";

  private final int maxTotal;
  private final int maxPerAddress;
  private final AtomicInteger total = new AtomicInteger();
  private final ConcurrentHashMap<String, Integer> perAddress = new ConcurrentHashMap<>();

  ConnectionCounts(int maxTotal, int maxPerAddress) {
    this.maxTotal = maxTotal;
    this.maxPerAddress = maxPerAddress;
  }

  /** The process's counts; the first caller's caps hold (every instance reads the same configuration). */
  static ConnectionCounts forProcess(Vertx vertx, int maxTotal, int maxPerAddress) {
    return vertx.sharedData().<String, ConnectionCounts>getLocalMap(SHARED_MAP)
        .computeIfAbsent(SHARED_KEY, key -> new ConnectionCounts(withinDescriptorLimit(maxTotal), maxPerAddress));
  }

  /**
   * The configured cap, lowered to three quarters of the process's file-descriptor limit when that is
   * smaller: a cap the OS cannot honour would let connections exhaust descriptors before it bites.
   */
  static int withinDescriptorLimit(int configured) {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean os) {
      long usable = (long) (os.getMaxFileDescriptorCount() * CLIENT_SHARE_OF_DESCRIPTORS);
      return (int) Math.max(1, Math.min(configured, usable));
    }
    return configured;
  }

  /** Counts the connection unless a cap is reached; an admitted connection must be {@link #release}d. */
  Verdict admit(String address) {
    if (total.incrementAndGet() > maxTotal) {
      total.decrementAndGet();
      return Verdict.PROCESS_CAP;
    }
    // Counted inside compute, which is atomic per address, so a release never loses a concurrent admit.
    boolean[] full = new boolean[1];
    perAddress.compute(address, (key, count) -> {
      int current = count == null ? 0 : count;
      full[0] = current >= maxPerAddress;
      return full[0] ? count : current + 1;
    });
    if (full[0]) {
      total.decrementAndGet();
      return Verdict.ADDRESS_CAP;
    }
    return Verdict.ADMITTED;
  }

  void release(String address) {
    total.decrementAndGet();
    // Drop the entry at zero so that the map holds only addresses with open connections.
    perAddress.computeIfPresent(address, (key, count) -> count <= 1 ? null : count - 1);
  }

  int open() {
    return total.get();
  }

  int maxTotal() {
    return maxTotal;
  }
}
