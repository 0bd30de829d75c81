package io.syncgateway.client.sync;

import io.syncgateway.client.time.Scheduler;

/**
 * When to sync: at start-up, when connectivity comes back, every {@code periodicMs} while online,
 * {@code debounceMs} after the last of a burst of local changes, when the app comes to the
 * foreground, when the gateway announces remote changes, and on demand. Every trigger goes
 * through {@code sync}, which coalesces.
 */
public final class SyncTriggers {
  private final Scheduler scheduler;
  private final Runnable sync;
  private final long periodicMs;
  private final long debounceMs;
  private Scheduler.Cancellable periodic;
  private Scheduler.Cancellable debounce;
  private boolean online = true;
  private boolean started;

  public SyncTriggers(Scheduler scheduler, Runnable sync, long periodicMs, long debounceMs) {
    this.scheduler = scheduler;
    this.sync = sync;
    this.periodicMs = periodicMs;
    this.debounceMs = debounceMs;
  }

  /** Start-up: sync once and begin the periodic timer. */
  public synchronized void start() {
    started = true;
    schedulePeriodic();
    fire();
  }

  public synchronized void stop() {
    started = false;
    cancel(periodic);
    cancel(debounce);
    periodic = null;
    debounce = null;
  }

  public synchronized void localChange() {
    if (!started) {
      return;
    }
    cancel(debounce);
    debounce = scheduler.schedule(debounceMs, this::fireDebounced);
  }

  public synchronized void connectivityChanged(boolean nowOnline) {
    boolean regained = nowOnline && !online;
    online = nowOnline;
    if (regained && started) {
      fire();
    }
  }

  public synchronized void foreground() {
    if (started) {
      fire();
    }
  }

  /** The gateway announced changes by other devices (a live-updates poke): pull them now. */
  public synchronized void remoteChange() {
    if (started) {
      fire();
    }
  }

  public synchronized boolean isStarted() {
    return started;
  }

  private synchronized void fireDebounced() {
    debounce = null;
    fire();
  }

  private synchronized void tick() {
    if (!started) {
      return;
    }
    schedulePeriodic();
    fire();
  }

  private void schedulePeriodic() {
    cancel(periodic);
    periodic = scheduler.schedule(periodicMs, this::tick);
  }

  private void fire() {
    if (online) {
      sync.run();
    }
  }

  private static void cancel(Scheduler.Cancellable timer) {
    if (timer != null) {
      timer.cancel();
    }
  }
}
