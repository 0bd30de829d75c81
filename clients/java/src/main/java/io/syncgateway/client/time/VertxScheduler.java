package io.syncgateway.client.time;

import io.vertx.core.Vertx;

/** Wall-clock time and Vert.x timers. */
public final class VertxScheduler implements Scheduler {
  private final Vertx vertx;

  public VertxScheduler(Vertx vertx) {
    this.vertx = vertx;
  }

  @Override
  public long now() {
    return System.currentTimeMillis();
  }

  @Override
  public Cancellable schedule(long delayMs, Runnable task) {
    long id = vertx.setTimer(Math.max(1, delayMs), ignored -> task.run());
    return () -> vertx.cancelTimer(id);
  }
}
