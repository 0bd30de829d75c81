package io.syncgateway.client.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.syncgateway.client.ManualScheduler;
import io.syncgateway.client.SyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Sync scheduling: one cycle at a time, coalesced triggers")
class SyncSchedulingTest {
  private final List<Promise<SyncResult>> cycles = new ArrayList<>();
  private final SyncEngine.CycleRunner runner = new SyncEngine.CycleRunner(() -> {
    Promise<SyncResult> cycle = Promise.promise();
    cycles.add(cycle);
    return cycle.future();
  });

  private static SyncResult result(int pushed) {
    return new SyncResult(0, 0, pushed, 0, 0, 0, 0, null);
  }

  @Test
  @DisplayName("requests during a cycle queue exactly one more cycle, whose result they all get")
  void coalescesRequestsDuringACycle() {
    Future<SyncResult> first = runner.request();
    Future<SyncResult> second = runner.request();
    Future<SyncResult> third = runner.request();
    assertThat(cycles).hasSize(1);

    cycles.get(0).complete(result(1));
    assertThat(first.result().pushed()).isEqualTo(1);
    assertThat(cycles).hasSize(2);
    assertThat(second.isComplete()).isFalse();

    cycles.get(1).complete(result(2));
    assertThat(second.result().pushed()).isEqualTo(2);
    assertThat(third.result().pushed()).isEqualTo(2);
    assertThat(cycles).hasSize(2);
    assertThat(runner.isRunning()).isFalse();
  }

  @Test
  @DisplayName("a request after a cycle ended starts a new one")
  void newCycleWhenIdle() {
    runner.request();
    cycles.get(0).complete(result(0));
    runner.request();
    assertThat(cycles).hasSize(2);
  }

  @Test
  @DisplayName("a failed cycle still releases the lock for the queued one")
  void failureReleasesLock() {
    runner.request();
    Future<SyncResult> queued = runner.request();
    cycles.get(0).fail("boom");
    assertThat(cycles).hasSize(2);
    cycles.get(1).complete(result(3));
    assertThat(queued.result().pushed()).isEqualTo(3);
  }

  private final ManualScheduler time = new ManualScheduler();
  private int syncs;
  private final SyncTriggers triggers = new SyncTriggers(time, () -> syncs++, 30_000, 2000);

  @Test
  @DisplayName("start-up syncs once, then every 30 s")
  void startupAndPeriodic() {
    triggers.start();
    assertThat(syncs).isEqualTo(1);
    time.advance(29_999);
    assertThat(syncs).isEqualTo(1);
    time.advance(1);
    assertThat(syncs).isEqualTo(2);
    time.advance(60_000);
    assertThat(syncs).isEqualTo(4);
  }

  @Test
  @DisplayName("a burst of local changes syncs once, 2 s after the last of them")
  void debouncesLocalChanges() {
    triggers.start();
    syncs = 0;
    for (int i = 0; i < 5; i++) {
      triggers.localChange();
      time.advance(1000);
    }
    assertThat(syncs).isZero();
    time.advance(1000);
    assertThat(syncs).isEqualTo(1);
  }

  @Test
  @DisplayName("regaining connectivity and coming to the foreground sync; nothing fires while offline")
  void connectivityAndForeground() {
    triggers.start();
    syncs = 0;
    triggers.connectivityChanged(false);
    time.advance(30_000);
    triggers.localChange();
    time.advance(2000);
    assertThat(syncs).isZero();
    triggers.connectivityChanged(true);
    assertThat(syncs).isEqualTo(1);
    triggers.foreground();
    assertThat(syncs).isEqualTo(2);
  }

  @Test
  @DisplayName("stop cancels every timer")
  void stopCancels() {
    triggers.start();
    triggers.localChange();
    triggers.stop();
    syncs = 0;
    time.advance(120_000);
    triggers.foreground();
    assertThat(syncs).isZero();
    assertThat(time.pendingTimers()).isZero();
  }
}
