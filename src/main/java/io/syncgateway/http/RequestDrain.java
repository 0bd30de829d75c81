package io.syncgateway.http;

import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Graceful shutdown of one process: counts the requests being answered and, once draining, refuses
 * new ones so that shutdown can wait for the rest. Only shutdown depends on it; no correctness does.
 */
public final class RequestDrain {
  private static final long POLL_MS = 20;

  /** The request's flag: true while it is counted (ended, released or never admitted: false). */
  private static final String COUNTED_KEY = "drain.counted";

  private final AtomicInteger inFlight = new AtomicInteger();
  private final List<Runnable> onDraining = new CopyOnWriteArrayList<>();
  private volatile boolean draining;

  /**
   * Admits a request and counts it until its response ends or its connection closes; false once
   * draining. Counting before reading the flag means {@link #awaitIdle} never misses an admitted request.
   */
  boolean admit(RoutingContext rc) {
    inFlight.incrementAndGet();
    if (draining) {
      inFlight.decrementAndGet();
      return false;
    }
    rc.put(COUNTED_KEY, new AtomicBoolean(true));
    rc.addEndHandler(done -> release(rc));
    return true;
  }

  /**
   * Stops counting an admitted request before it ends: a live-update stream, which shutdown ends
   * (see {@link #whenDraining}) instead of waiting for.
   */
  void release(RoutingContext rc) {
    AtomicBoolean counted = rc.get(COUNTED_KEY);
    if (counted != null && counted.compareAndSet(true, false)) {
      inFlight.decrementAndGet();
    }
  }

  /** Runs {@code action} when shutdown begins (from the thread that begins it). */
  void whenDraining(Runnable action) {
    onDraining.add(action);
  }

  public int inFlight() {
    return inFlight.get();
  }

  /** From now on, new requests are refused. */
  public void refuseNewRequests() {
    draining = true;
    onDraining.forEach(Runnable::run);
  }

  /**
   * Blocks until no request is in flight or {@code grace} has passed. Not for event-loop threads.
   *
   * @return the requests still in flight when it returned
   */
  public int awaitIdle(Duration grace) {
    long deadline = System.nanoTime() + grace.toNanos();
    while (inFlight.get() > 0 && System.nanoTime() < deadline) {
      try {
        Thread.sleep(POLL_MS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return inFlight.get();
  }
}
