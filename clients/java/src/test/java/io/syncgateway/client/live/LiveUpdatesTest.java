package io.syncgateway.client.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.syncgateway.testsupport.Eventually;
import io.syncgateway.client.ManualScheduler;
import io.syncgateway.client.SyncClient;
import io.syncgateway.client.SyncClientOptions;
import io.syncgateway.client.SyncEvent;
import io.syncgateway.client.store.InMemoryLocalStore;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Live updates: the SDK against a stand-in events endpoint (PROTOCOL §9)")
class LiveUpdatesTest {
  private static final long BACKOFF_BASE_MS = 1000;

  private final SseTestGateway gateway = new SseTestGateway();
  private final Vertx vertx = Vertx.vertx();
  private final ManualScheduler time = new ManualScheduler();
  private final List<SyncEvent> events = new CopyOnWriteArrayList<>();
  private final SyncClient client = SyncClient.open(vertx, new InMemoryLocalStore(),
      SyncClientOptions.of(gateway.url(), "token").withLiveBackoff(BACKOFF_BASE_MS, 8000), time).await();

  @AfterEach
  void close() {
    client.close();
    vertx.close().await();
    gateway.close();
  }

  private long finishedCycles() {
    return events.stream().filter(e -> e.type() == SyncEvent.Type.SYNC_SUCCEEDED
        || e.type() == SyncEvent.Type.SYNC_FAILED).count();
  }

  private boolean published(SyncEvent.Type type) {
    return events.stream().anyMatch(e -> e.type() == type);
  }

  private void start() {
    client.onEvent(events::add);
    client.start();
  }

  /** Starts the client and waits for its start-up sync and the pull after subscribing. */
  private void startConnected() {
    start();
    Eventually.until(() -> client.liveUpdatesState() == LiveUpdates.State.CONNECTED && finishedCycles() == 2);
    assertThat(gateway.pulls()).isEqualTo(2);
  }

  @Test
  @DisplayName("a changes event makes the client pull at once; the subscription names the device")
  void pokeTriggersPull() {
    startConnected();
    gateway.changes("task");
    Eventually.until(() -> finishedCycles() == 3);
    assertThat(gateway.pulls()).isEqualTo(3);
    assertThat(gateway.lastQuery()).isEqualTo("deviceId=" + client.deviceId());
  }

  @Test
  @DisplayName("pings and an event split across writes are read like whole ones")
  void pingsAndSplitEvents() {
    startConnected();
    gateway.write(": ping\n\nevent: chan");
    gateway.write("ges\r\ndata: {\"types\":[\"comment\"],");
    gateway.write("\"timestamp\":1}\r");
    gateway.write("\n\r\n");
    Eventually.until(() -> finishedCycles() == 3);
    assertThat(gateway.pulls()).isEqualTo(3);
  }

  @Test
  @DisplayName("a gateway without the endpoint (404) is not asked again; periodic syncs carry on")
  void notFoundFallsBackToPolling() {
    gateway.answerNotFound();
    start();
    Eventually.until(() -> client.liveUpdatesState() == LiveUpdates.State.UNAVAILABLE && finishedCycles() == 1);
    assertThat(published(SyncEvent.Type.LIVE_UNAVAILABLE)).isTrue();

    time.advance(30_000);
    Eventually.until(() -> finishedCycles() == 2);
    assertThat(gateway.pulls()).isEqualTo(2);
    assertThat(gateway.subscriptions()).isEqualTo(1);
    assertThat(time.pendingTimers()).as("only the periodic timer").isEqualTo(1);
  }

  @Test
  @DisplayName("a refused connection is retried with a backoff that doubles")
  void connectionRefusedRetries() {
    SyncClient unreachable = SyncClient.open(vertx, new InMemoryLocalStore(),
        SyncClientOptions.of("http://127.0.0.1:1", "token").withLiveBackoff(BACKOFF_BASE_MS, 8000), time).await();
    List<String> retries = new CopyOnWriteArrayList<>();
    unreachable.onEvent(e -> {
      if (e.type() == SyncEvent.Type.LIVE_DISCONNECTED) {
        retries.add(e.detail());
      }
    });
    unreachable.start();
    Eventually.until(() -> retries.size() == 1);
    time.advance(BACKOFF_BASE_MS);
    Eventually.until(() -> retries.size() == 2);
    assertThat(unreachable.liveUpdatesState()).isEqualTo(LiveUpdates.State.WAITING);
    long secondDelay = Long.parseLong(retries.get(1).replaceAll(".*retrying in (\\d+) ms", "$1"));
    assertThat(secondDelay).isBetween(BACKOFF_BASE_MS, 2 * BACKOFF_BASE_MS);
    unreachable.close();
  }

  @Test
  @DisplayName("a dropped stream is reopened after a jittered backoff (at least half the base), then the client pulls once")
  void droppedStreamResubscribesWithBackoff() {
    startConnected();
    gateway.endStream();
    Eventually.until(() -> client.liveUpdatesState() == LiveUpdates.State.WAITING);
    assertThat(published(SyncEvent.Type.LIVE_DISCONNECTED)).isTrue();

    time.advance(BACKOFF_BASE_MS / 2 - 1);
    assertThat(client.liveUpdatesState()).isEqualTo(LiveUpdates.State.WAITING);
    assertThat(gateway.subscriptions()).isEqualTo(1);

    time.advance(BACKOFF_BASE_MS / 2 + 1);
    Eventually.until(() -> client.liveUpdatesState() == LiveUpdates.State.CONNECTED && finishedCycles() == 3);
    assertThat(gateway.subscriptions()).isEqualTo(2);
    assertThat(gateway.pulls()).isEqualTo(3);
  }

  @Test
  @DisplayName("503 overloaded with Retry-After (longer than the backoff): the client waits exactly as long as told")
  void overloadedHonoursRetryAfter() {
    gateway.answerOverloaded(20);
    start();
    Eventually.until(() -> client.liveUpdatesState() == LiveUpdates.State.WAITING);

    time.advance(19_999);
    assertThat(gateway.subscriptions()).isEqualTo(1);
    gateway.answerStreams();
    time.advance(1);
    Eventually.until(() -> client.liveUpdatesState() == LiveUpdates.State.CONNECTED);
    assertThat(gateway.subscriptions()).isEqualTo(2);
  }

  @Test
  @DisplayName("event: reauthenticate, then the end of the stream: the client subscribes again at once")
  void reauthenticateReconnectsAtOnce() {
    startConnected();
    gateway.reauthenticate();
    Eventually.until(() -> gateway.subscriptions() == 2 && gateway.streaming()
        && client.liveUpdatesState() == LiveUpdates.State.CONNECTED && finishedCycles() == 3);
    assertThat(time.pendingTimers()).as("only the periodic timer: no backoff").isEqualTo(1);
  }

  @Test
  @DisplayName("going offline closes the stream; coming back online subscribes again")
  void followsConnectivity() {
    startConnected();
    client.setOnline(false);
    assertThat(client.liveUpdatesState()).isEqualTo(LiveUpdates.State.STOPPED);
    client.setOnline(true);
    Eventually.until(() -> gateway.subscriptions() == 2 && client.liveUpdatesState() == LiveUpdates.State.CONNECTED);
  }

  @Test
  @DisplayName("with live updates turned off, the client never subscribes")
  void optionTurnsItOff() {
    SyncClient polling = SyncClient.open(vertx, new InMemoryLocalStore(),
        SyncClientOptions.of(gateway.url(), "token").withLiveUpdates(false), time).await();
    polling.start();
    assertThat(polling.syncNow().await().succeeded()).isTrue();
    assertThat(gateway.subscriptions()).isZero();
    assertThat(polling.liveUpdatesState()).isEqualTo(LiveUpdates.State.STOPPED);
    polling.close();
  }
}
