package io.syncgateway.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * Open-loop load: requests start on a fixed schedule whether or not earlier ones were answered, and
 * latency counts from the scheduled start, so a slow server cannot hide queueing (no coordinated
 * omission).
 */
final class OpenLoop {
  private OpenLoop() {}

  /** A request of a kind, measured into that kind's measurement. */
  record Request(Measurement kind, Supplier<Future<Outcome>> send) {}

  /**
   * Sends {@code rate} requests per second for {@code seconds}; {@code schedule} gives request
   * {@code i}. Returns when every request was answered.
   */
  static void run(int rate, int seconds, IntFunction<Request> schedule, List<Measurement> kinds) {
    long total = (long) rate * seconds;
    long intervalNanos = 1_000_000_000L / rate;
    AtomicLong pending = new AtomicLong(total);
    Promise<Void> done = Promise.promise();
    long start = System.nanoTime();
    for (int i = 0; i < total; i++) {
      long intended = start + i * intervalNanos;
      long wait = intended - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
      Request request = schedule.apply(i);
      Future<Outcome> answer;
      try {
        answer = request.send().get();
      } catch (RuntimeException e) {
        answer = Future.failedFuture(e);
      }
      answer.onComplete(result -> {
        request.kind().record(result, System.nanoTime() - intended);
        if (pending.decrementAndGet() == 0) {
          done.complete();
        }
      });
    }
    if (total > 0) {
      done.future().await();
    }
    long elapsed = System.nanoTime() - start;
    kinds.forEach(kind -> kind.finish(elapsed));
  }
}
