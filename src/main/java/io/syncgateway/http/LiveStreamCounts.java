package io.syncgateway.http;

import io.vertx.core.Vertx;
import io.vertx.core.shareddata.Shareable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Live-update streams open in the process, in total and per user, against their caps: every HTTP
 * verticle instance counts in the one object of its process (Vert.x local shared data).
 */
final class LiveStreamCounts implements Shareable {
  enum Verdict { OPENED, USER_CAP, PROCESS_CAP }

  private static final String SHARED_MAP = "sync.http";
  private static final String SHARED_KEY = "live-stream-counts";

  private final int maxTotal;
  private final int maxPerUser;
  private final AtomicInteger total = new AtomicInteger();
  private final ConcurrentHashMap<String, Integer> perUser = new ConcurrentHashMap<>();

  LiveStreamCounts(int maxTotal, int maxPerUser) {
    this.maxTotal = maxTotal;
    this.maxPerUser = maxPerUser;
  }

  static LiveStreamCounts forProcess(Vertx vertx, int maxTotal, int maxPerUser) {
    return vertx.sharedData().<String, LiveStreamCounts>getLocalMap(SHARED_MAP)
        .computeIfAbsent(SHARED_KEY, key -> new LiveStreamCounts(maxTotal, maxPerUser));
  }

  /** Counts a new stream of {@code user} unless a cap is reached; a refused stream is not counted. */
  Verdict open(String user) {
    if (total.incrementAndGet() > maxTotal) {
      total.decrementAndGet();
      return Verdict.PROCESS_CAP;
    }
    boolean[] counted = {false};
    perUser.compute(user, (key, open) -> {
      int streams = open == null ? 0 : open;
      if (streams >= maxPerUser) {
        return open;
      }
      counted[0] = true;
      return streams + 1;
    });
    if (!counted[0]) {
      total.decrementAndGet();
      return Verdict.USER_CAP;
    }
    return Verdict.OPENED;
  }

  void close(String user) {
    perUser.computeIfPresent(user, (key, open) -> open <= 1 ? null : open - 1);
    total.decrementAndGet();
  }

  int open() {
    return total.get();
  }
}
