package io.syncgateway.client.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.syncgateway.client.ManualScheduler;
import io.syncgateway.client.SyncResult;
import io.syncgateway.client.sync.SyncEngine;
import io.syncgateway.client.sync.SyncTriggers;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Live-update pokes go through the sync triggers and the one-cycle-at-a-time lock")
class LivePokesTest {
  private static final ServerSentEvent CHANGES = new ServerSentEvent("changes", "{\"types\":[\"task\"]}");

  private final ManualScheduler time = new ManualScheduler();
  private final List<Promise<SyncResult>> cycles = new ArrayList<>();
  private final SyncEngine.CycleRunner runner = new SyncEngine.CycleRunner(() -> {
    Promise<SyncResult> cycle = Promise.promise();
    cycles.add(cycle);
    return cycle.future();
  });
  private final SyncTriggers triggers = new SyncTriggers(time, runner::request, 30_000, 2000);
  // An in-memory stream: the test delivers events synchronously, so every step is deterministic.
  private Consumer<ServerSentEvent> stream;
  private final LiveUpdates live = new LiveUpdates((events, ended) -> {
    stream = events;
    return Future.succeededFuture(() -> { });
  }, time, new Backoff(1000, 8000, () -> 0.5), triggers::remoteChange, event -> { });

  private void finishCycle(int index) {
    cycles.get(index).complete(new SyncResult(0, 0, 0, 0, 0, 0, 0, null));
  }

  /** Starts triggers and subscription and lets the start-up sync and the pull after subscribing end. */
  private void startIdle() {
    triggers.start();
    live.start();
    finishCycle(0);
    finishCycle(1);
    assertThat(runner.isRunning()).isFalse();
  }

  @Test
  @DisplayName("pokes arriving while a pull runs coalesce into exactly one more pull")
  void pokesDuringAPullCoalesce() {
    startIdle();
    stream.accept(CHANGES);
    assertThat(cycles).hasSize(3);
    stream.accept(CHANGES);
    stream.accept(CHANGES);
    stream.accept(CHANGES);
    assertThat(cycles).hasSize(3);

    finishCycle(2);
    assertThat(cycles).hasSize(4);
    finishCycle(3);
    assertThat(cycles).hasSize(4);
    assertThat(runner.isRunning()).isFalse();
  }

  @Test
  @DisplayName("events other than changes, and pokes after stop, start no pull")
  void onlyChangesPoke() {
    startIdle();
    stream.accept(new ServerSentEvent("message", "hello"));
    assertThat(cycles).hasSize(2);
    triggers.stop();
    stream.accept(CHANGES);
    assertThat(cycles).hasSize(2);
  }
}
