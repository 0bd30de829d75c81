package io.syncgateway.memory;

import io.syncgateway.bus.ErrorCode;
import io.syncgateway.bus.GatewayException;
import io.syncgateway.config.GatewayConfig;
import io.syncgateway.config.Setting;
import io.syncgateway.metrics.SyncMetrics;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.Shareable;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The process's memory budget for the big things requests hold: raw push bodies being received,
 * decoded push bodies and their JSON trees, pull pages. Work reserves an estimate of the heap it
 * will hold before it allocates, and releases it when the memory is garbage again. When the budget
 * is spent, a reservation waits (first come, first served, at most the configured time), then is
 * refused with 503 {@code overloaded}: a refusal the client retries, instead of an
 * OutOfMemoryError that fails everyone (PROTOCOL §7, v1.1).
 *
 * <p>One per process, shared by every verticle (like the database gate). Thread-safe: worker and
 * event-loop threads reserve; a waiter is completed on the context it asked from.
 */
public final class MemoryBudget implements Shareable {
  private static final String SHARED_MAP = "sync.memory.budget";

  private final Vertx vertx;
  private final long capacity;
  private final long maxWaitMs;
  private final Consumer<String> refusals;
  private final ArrayDeque<Waiter> waiting = new ArrayDeque<>();
  private long reserved;

  /** A reservation still waiting for room, completed on the context that asked. */
  private record Waiter(long bytes, String use, Context context, Promise<Reservation> promise, long[] timer) {}

  MemoryBudget(Vertx vertx, long capacity, long maxWaitMs, Consumer<String> refusals) {
    if (capacity <= 0 || maxWaitMs < 0) {
      throw new IllegalArgumentException("A memory budget needs a positive capacity and a wait >= 0");
    }
    this.vertx = vertx;
    this.capacity = capacity;
    this.maxWaitMs = maxWaitMs;
    this.refusals = refusals;
  }

  /** The process's budget, created by the first verticle that asks. */
  public static MemoryBudget shared(Vertx vertx, GatewayConfig config, SyncMetrics metrics) {
    return vertx.sharedData().<String, MemoryBudget>getLocalMap(SHARED_MAP)
        .computeIfAbsent("budget", key -> create(vertx, config, metrics));
  }

  private static MemoryBudget create(Vertx vertx, GatewayConfig config, SyncMetrics metrics) {
    long percent = config.number(Setting.MEMORY_BUDGET_PERCENT);
    if (percent < 1 || percent > 90) {
      throw new IllegalArgumentException(Setting.MEMORY_BUDGET_PERCENT.key() + " ("
          + Setting.MEMORY_BUDGET_PERCENT.env() + ") must be from 1 to 90, got " + percent);
    }
    MemoryBudget budget = new MemoryBudget(vertx, Runtime.getRuntime().maxMemory() / 100 * percent,
        config.number(Setting.MEMORY_MAX_WAIT_MS), metrics::memoryRefused);
    metrics.memoryBudget(budget::capacity, budget::reserved, budget::waiting);
    return budget;
  }

  public long capacity() {
    return capacity;
  }

  public synchronized long reserved() {
    return reserved;
  }

  public synchronized int waiting() {
    return waiting.size();
  }

  /**
   * Reserves {@code bytes} (at most the whole budget: larger work runs alone), at once when there is
   * room and nobody waits before it, else after a bounded wait; fails 503 {@code overloaded} when
   * the wait runs out. {@code use} names the work in the refusal metric.
   */
  public Future<Reservation> reserve(long bytes, String use) {
    long wanted = Math.max(0, Math.min(bytes, capacity));
    Waiter waiter;
    synchronized (this) {
      if (waiting.isEmpty() && reserved + wanted <= capacity) {
        reserved += wanted;
        return Future.succeededFuture(new Reservation(this, wanted));
      }
      if (maxWaitMs == 0) {
        waiter = null;
      } else {
        waiter = new Waiter(wanted, use, vertx.getOrCreateContext(), Promise.promise(), new long[1]);
        // Under the lock: the timer id is known before anyone can grant the waiter and cancel it.
        waiter.timer()[0] = vertx.setTimer(maxWaitMs, id -> giveUp(waiter));
        waiting.add(waiter);
      }
    }
    if (waiter == null) {
      return Future.failedFuture(refuse(use));
    }
    return waiter.promise().future();
  }

  private void giveUp(Waiter waiter) {
    synchronized (this) {
      if (!waiting.remove(waiter)) {
        return; // granted meanwhile
      }
    }
    waiter.promise().fail(refuse(waiter.use()));
    grantWaiting(); // the head may have been the one that did not fit
  }

  private GatewayException refuse(String use) {
    refusals.accept(use);
    return overloaded();
  }

  /** The answer when memory runs short: the client retries after Retry-After. */
  public static GatewayException overloaded() {
    return new GatewayException(ErrorCode.OVERLOADED,
        "The gateway has no memory to spare for this request right now; retry later");
  }

  /** Takes {@code bytes} more for a reservation, without waiting: work already under way goes first. */
  synchronized boolean grow(Reservation reservation, long bytes) {
    if (reservation.released || reserved + bytes > capacity) {
      return false;
    }
    reserved += bytes;
    reservation.bytes += bytes;
    return true;
  }

  /** Gives back what a reservation holds above {@code bytes}. */
  void shrink(Reservation reservation, long bytes, boolean release) {
    synchronized (this) {
      if (reservation.released) {
        return;
      }
      long returned = Math.max(0, reservation.bytes - Math.max(0, bytes));
      reservation.bytes -= returned;
      reserved -= returned;
      reservation.released = release;
      if (release) {
        reserved -= reservation.bytes;
        reservation.bytes = 0;
      }
    }
    grantWaiting();
  }

  /** Grants waiters in order while the first fits; completes them outside the lock, on their contexts. */
  private void grantWaiting() {
    List<Waiter> granted = new ArrayList<>();
    synchronized (this) {
      while (!waiting.isEmpty() && reserved + waiting.peek().bytes() <= capacity) {
        Waiter waiter = waiting.poll();
        reserved += waiter.bytes();
        granted.add(waiter);
      }
    }
    for (Waiter waiter : granted) {
      vertx.cancelTimer(waiter.timer()[0]);
      Reservation reservation = new Reservation(this, waiter.bytes());
      waiter.context().runOnContext(v -> waiter.promise().complete(reservation));
    }
  }
}
