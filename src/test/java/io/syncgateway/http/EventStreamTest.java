package io.syncgateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.syncgateway.entity.EntityType;
import io.syncgateway.live.ChangeNotice;
import io.syncgateway.metrics.SyncMetrics;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerResponse;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("EventStream: what a stream announces, and one pending event for a slow reader")
class EventStreamTest {
  private static final String ORG = "acme";
  private static final String OWN_DEVICE = "phone";

  /** A response whose write queue is full or not, as the test says; it records what is written. */
  private static final class FakeResponse {
    final List<String> written = new ArrayList<>();
    boolean queueFull;
    boolean ended;
    Handler<Void> drain;
    final HttpServerResponse proxy = (HttpServerResponse) Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {HttpServerResponse.class}, (self, method, args) -> switch (method.getName()) {
          case "writeQueueFull" -> queueFull;
          case "write" -> {
            written.add((String) args[0]);
            yield Future.succeededFuture();
          }
          case "drainHandler" -> {
            @SuppressWarnings("unchecked")
            Handler<Void> handler = (Handler<Void>) args[0];
            drain = handler;
            yield self;
          }
          case "end" -> {
            ended = true;
            yield Future.succeededFuture();
          }
          default -> throw new UnsupportedOperationException(method.getName());
        });

    void drained() {
      queueFull = false;
      drain.handle(null);
    }
  }

  private final FakeResponse response = new FakeResponse();
  private final EventStream stream = new EventStream(response.proxy, ORG, OWN_DEVICE,
      EnumSet.of(EntityType.TASK, EntityType.COMMENT), SyncMetrics.of("event-stream-test"));

  private static ChangeNotice notice(String org, String device, long at, EntityType... types) {
    return new ChangeNotice(org, Set.of(types), device, at);
  }

  @Test
  @DisplayName("announces commits of its organization by other devices, of the types it asked for")
  void filters() {
    stream.announce(notice(ORG, OWN_DEVICE, 1, EntityType.TASK));
    stream.announce(notice("other-org", "laptop", 2, EntityType.TASK));
    stream.announce(notice(ORG, "laptop", 3, EntityType.ATTACHMENT));
    assertThat(response.written).isEmpty();

    stream.announce(notice(ORG, "laptop", 4, EntityType.TASK, EntityType.ATTACHMENT));

    assertThat(response.written).containsExactly("event: changes\ndata: {\"types\":[\"task\"],\"timestamp\":4}\n\n");
  }

  @Test
  @DisplayName("while the write queue is full, changes merge into one event, written when it drains")
  void mergesWhileQueueIsFull() {
    response.queueFull = true;
    stream.announce(notice(ORG, "laptop", 10, EntityType.TASK));
    stream.announce(notice(ORG, "tablet", 20, EntityType.COMMENT));
    stream.announce(notice(ORG, "laptop", 30, EntityType.TASK));
    stream.ping();
    assertThat(response.written).isEmpty();

    response.drained();

    assertThat(response.written)
        .containsExactly("event: changes\ndata: {\"types\":[\"task\",\"comment\"],\"timestamp\":30}\n\n");
  }

  @Test
  @DisplayName("reauthenticate is the last thing written; nothing follows the end")
  void reauthenticateEnds() {
    stream.reauthenticate();
    stream.announce(notice(ORG, "laptop", 1, EntityType.TASK));
    stream.ping();

    assertThat(response.written).containsExactly("event: reauthenticate\ndata: {}\n\n");
    assertThat(response.ended).isTrue();
  }

  @Test
  @DisplayName("stream caps: per user and per process; a closed stream gives its place back")
  void caps() {
    LiveStreamCounts counts = new LiveStreamCounts(3, 2);

    assertThat(counts.open("alice")).isEqualTo(LiveStreamCounts.Verdict.OPENED);
    assertThat(counts.open("alice")).isEqualTo(LiveStreamCounts.Verdict.OPENED);
    assertThat(counts.open("alice")).isEqualTo(LiveStreamCounts.Verdict.USER_CAP);
    assertThat(counts.open("bob")).isEqualTo(LiveStreamCounts.Verdict.OPENED);
    assertThat(counts.open("carol")).isEqualTo(LiveStreamCounts.Verdict.PROCESS_CAP);
    counts.close("alice");
    assertThat(counts.open("carol")).isEqualTo(LiveStreamCounts.Verdict.OPENED);
    assertThat(counts.open()).isEqualTo(3);
  }
}
