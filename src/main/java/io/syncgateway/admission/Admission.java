package io.syncgateway.admission;

import io.syncgateway.bus.ErrorCode;
import io.syncgateway.bus.GatewayException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.Shareable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * A process's own admission control for database work: at most {@code concurrency} operations run
 * at once; the rest wait, most urgent priority first (1 … 5), first come first served within a
 * priority. When the wait queue is deep, low-priority work is shed with 503 {@code overloaded}
 * (see {@link AdmissionLimits}); work that waits longer than the limit is shed too. This protects
 * this process only: correctness never depends on it (PostgreSQL serializes what must be).
 *
 * <p>Thread-safe, so all instances of a verticle can share one (it is {@link Shareable}). Admitted
 * work starts on the Vert.x context that submitted it.
 */
public final class Admission implements Shareable {
  public static final int MOST_URGENT = 1;
  public static final int LEAST_URGENT = 5;

  private static final Comparator<Waiter> MOST_URGENT_FIRST =
      Comparator.<Waiter>comparingInt(waiter -> waiter.priority).thenComparingLong(waiter -> waiter.arrival);

  private final Vertx vertx;
  private final AdmissionLimits limits;
  private final TreeSet<Waiter> waiting = new TreeSet<>(MOST_URGENT_FIRST);
  private final long[] shed = new long[LEAST_URGENT + 1];
  private int running;
  private long arrivals;

  /** One queued operation: where it came from, how to start it, how to shed it. */
  private static final class Waiter {
    final int priority;
    final long arrival;
    final Context context;
    final Runnable start;
    final Promise<?> result;
    long timerId = -1;

    Waiter(int priority, long arrival, Context context, Runnable start, Promise<?> result) {
      this.priority = priority;
      this.arrival = arrival;
      this.context = context;
      this.start = start;
      this.result = result;
    }
  }

  public Admission(Vertx vertx, AdmissionLimits limits) {
    this.vertx = vertx;
    this.limits = limits;
  }

  /**
   * Runs {@code work} when a slot is free, or fails it {@code overloaded} without running it. The
   * slot is held until the future {@code work} returns completes.
   */
  public <T> Future<T> submit(int priority, Supplier<Future<T>> work) {
    Promise<T> result = Promise.promise();
    int urgency = Math.max(MOST_URGENT, Math.min(LEAST_URGENT, priority));
    Waiter queued = null;
    Waiter shedOne = null;
    synchronized (this) {
      if (running < limits.concurrency() && waiting.isEmpty()) {
        running++;
      } else {
        queued = new Waiter(urgency, arrivals++, Vertx.currentContext(), () -> run(work, result), result);
        shedOne = enqueueOrShed(queued);
      }
    }
    if (queued == null) {
      run(work, result);
    } else if (shedOne != queued) {
      startExpiryTimer(queued);
    }
    if (shedOne != null) {
      reject(shedOne, "The gateway is overloaded: priority " + shedOne.priority + " work is shed first; retry later");
    }
    return result.future();
  }

  /**
   * Queues the newcomer unless the queue is as deep as its priority tolerates; then the newest
   * waiter of a less urgent priority makes room for it, or else the newcomer is shed.
   * Returns the waiter that was shed, if any.
   */
  private Waiter enqueueOrShed(Waiter newcomer) {
    Waiter shedOne = null;
    if (waiting.size() < limits.shedDepth(newcomer.priority)) {
      waiting.add(newcomer);
    } else if (!waiting.isEmpty() && waiting.last().priority > newcomer.priority) {
      shedOne = waiting.pollLast();
      waiting.add(newcomer);
    } else {
      shedOne = newcomer;
    }
    if (shedOne != null) {
      shed[shedOne.priority]++;
    }
    return shedOne;
  }

  /** Operations running now. */
  public synchronized int running() {
    return running;
  }

  /** Operations waiting for a slot now. */
  public synchronized int waiting() {
    return waiting.size();
  }

  /** How many operations of this priority were shed since start. */
  public synchronized long shedCount(int priority) {
    return shed[priority];
  }

  public AdmissionLimits limits() {
    return limits;
  }

  private <T> void run(Supplier<Future<T>> work, Promise<T> result) {
    Future<T> outcome;
    try {
      outcome = work.get();
    } catch (RuntimeException e) {
      outcome = Future.failedFuture(e);
    }
    outcome.onComplete(done -> {
      release();
      result.handle(done);
    });
  }

  private void release() {
    Waiter next;
    synchronized (this) {
      next = waiting.pollFirst();
      if (next == null) {
        running--;
        return;
      }
    }
    cancelTimer(next);
    onContextOf(next, next.start);
  }

  private void startExpiryTimer(Waiter waiter) {
    if (limits.maxWaitMs() <= 0) {
      return;
    }
    long id = vertx.setTimer(limits.maxWaitMs(), fired -> expire(waiter));
    synchronized (this) {
      waiter.timerId = id;
    }
  }

  private void expire(Waiter waiter) {
    synchronized (this) {
      if (!waiting.remove(waiter)) {
        return; // admitted or shed meanwhile
      }
      shed[waiter.priority]++;
    }
    reject(waiter, "The gateway is overloaded: the request waited " + limits.maxWaitMs() + " ms; retry later");
  }

  private void reject(Waiter waiter, String detail) {
    cancelTimer(waiter);
    onContextOf(waiter, () -> waiter.result.tryFail(new GatewayException(ErrorCode.OVERLOADED, detail)));
  }

  private void cancelTimer(Waiter waiter) {
    long id;
    synchronized (this) {
      id = waiter.timerId;
    }
    if (id >= 0) {
      vertx.cancelTimer(id);
    }
  }

  private static void onContextOf(Waiter waiter, Runnable action) {
    if (waiter.context == null) {
      action.run();
    } else {
      waiter.context.runOnContext(v -> action.run());
    }
  }

  /** For tests and diagnostics: the priorities waiting, in the order they will be admitted. */
  public synchronized List<Integer> waitingPriorities() {
    List<Integer> priorities = new ArrayList<>();
    waiting.forEach(waiter -> priorities.add(waiter.priority));
    return priorities;
  }
}
