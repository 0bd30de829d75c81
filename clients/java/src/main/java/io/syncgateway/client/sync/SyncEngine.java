package io.syncgateway.client.sync;

import io.syncgateway.client.ChangeListener;
import io.syncgateway.client.SyncClientOptions;
import io.syncgateway.client.SyncEvent;
import io.syncgateway.client.SyncMonitor;
import io.syncgateway.client.SyncResult;
import io.syncgateway.client.store.LocalStore;
import io.syncgateway.client.time.Scheduler;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Runs sync cycles (push, then pull) one at a time. A request during a cycle is coalesced: however
 * many arrive, exactly one more cycle runs after the current one, and they all get its result.
 */
public final class SyncEngine {
  private final StoreRunner runner;
  private final LocalStore store;
  private final PushPhase push;
  private final PullPhase pull;
  private final SyncClientOptions options;
  private final Scheduler scheduler;
  private final SyncMonitor monitor;
  private final Consumer<SyncEvent> publisher;
  private final ChangeListener changeListener;
  private final CycleRunner cycles;

  /** The cycle lock: runs one cycle at a time and coalesces requests made meanwhile. */
  public static final class CycleRunner {
    private final Supplier<Future<SyncResult>> cycle;
    private boolean running;
    private Promise<SyncResult> queued;

    public CycleRunner(Supplier<Future<SyncResult>> cycle) {
      this.cycle = cycle;
    }

    public synchronized Future<SyncResult> request() {
      if (running) {
        if (queued == null) {
          queued = Promise.promise();
        }
        return queued.future();
      }
      running = true;
      return start();
    }

    private Future<SyncResult> start() {
      Future<SyncResult> current;
      try {
        current = cycle.get();
      } catch (RuntimeException e) {
        current = Future.failedFuture(e);
      }
      return current.onComplete(done -> next());
    }

    private void next() {
      Promise<SyncResult> waiting;
      synchronized (this) {
        waiting = queued;
        queued = null;
        running = waiting != null;
      }
      if (waiting != null) {
        start().onComplete(waiting);
      }
    }

    public synchronized boolean isRunning() {
      return running;
    }
  }

  public SyncEngine(StoreRunner runner, LocalStore store, SyncQueue queue, RemoteChanges remote, DeviceClock device,
      GatewayApi api, SyncClientOptions options, Scheduler scheduler, SyncMonitor monitor,
      Consumer<SyncEvent> publisher, ChangeListener changeListener) {
    this.runner = runner;
    this.store = store;
    SyncParts parts = new SyncParts(runner, store, queue, remote, device, api, options, scheduler);
    this.push = new PushPhase(parts);
    this.pull = new PullPhase(parts);
    this.options = options;
    this.scheduler = scheduler;
    this.monitor = monitor;
    this.publisher = publisher;
    this.changeListener = changeListener;
    this.cycles = new CycleRunner(this::cycle);
  }

  /** Runs a cycle now, or one more after the running one. Never fails: the result says. */
  public Future<SyncResult> requestSync() {
    return cycles.request();
  }

  public boolean isSyncing() {
    return cycles.isRunning();
  }

  private Future<SyncResult> cycle() {
    CycleCounters counters = new CycleCounters(scheduler.now());
    publisher.accept(SyncEvent.cycle(SyncEvent.Type.SYNC_STARTED, null));
    return warnNearRetention()
        .compose(v -> push.run(counters))
        .compose(v -> pull.run(counters))
        .transform(done -> {
          // Pages applied before a failure are committed: they are reported too.
          counters.changed.forEach(changeListener::onChange);
          String error = done.succeeded() ? null : String.valueOf(done.cause().getMessage());
          SyncResult result = counters.result(scheduler.now(), error);
          monitor.record(result);
          publisher.accept(SyncEvent.cycle(result.succeeded() ? SyncEvent.Type.SYNC_SUCCEEDED
              : SyncEvent.Type.SYNC_FAILED, result.succeeded() ? "pushed " + result.pushed() + ", pulled "
              + result.pulled() : error));
          return Future.succeededFuture(result);
        });
  }

  /** Tells the app when less than the warning fraction of the retention period is left. */
  private Future<Void> warnNearRetention() {
    return runner.tx(events -> {
      long deadline = PullPhase.retentionDeadline(store);
      long retention = store.meta(PullPhase.RETENTION_MS).map(Long::parseLong).orElse(0L);
      long left = deadline - scheduler.now();
      if (deadline > 0 && left < retention * options.retentionWarningFraction()) {
        events.add(SyncEvent.cycle(SyncEvent.Type.RETENTION_NEAR,
            "the server forgets this device's position in " + Math.max(0, left / 1000) + " s"));
      }
      return null;
    });
  }

  /** When the cursor stops being valid if the device does not pull successfully before, or -1. */
  public Future<Long> retentionDeadline() {
    return runner.tx(events -> PullPhase.retentionDeadline(store));
  }
}
