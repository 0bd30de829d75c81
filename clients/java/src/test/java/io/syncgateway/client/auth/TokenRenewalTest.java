package io.syncgateway.client.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.syncgateway.auth.Role;
import io.syncgateway.auth.TokenService;
import io.syncgateway.testsupport.Eventually;
import io.syncgateway.client.SyncClient;
import io.syncgateway.client.SyncClientOptions;
import io.syncgateway.client.SyncEvent;
import io.syncgateway.client.SyncResult;
import io.syncgateway.client.live.LiveUpdates;
import io.syncgateway.client.store.SqliteLocalStore;
import io.syncgateway.entity.EntityType;
import io.syncgateway.testsupport.Changes;
import io.syncgateway.testsupport.GatewayHarness;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("Token provider: short-lived tokens against a real gateway")
class TokenRenewalTest {
  private GatewayHarness gateway;
  private Vertx vertx;
  private TokenService issuer;
  private TokenService strangers;

  @TempDir
  Path dir;

  @BeforeAll
  void start() {
    gateway = GatewayHarness.start("tokens");
    vertx = Vertx.vertx();
    issuer = new TokenService(vertx, GatewayHarness.SECRET);
    strangers = new TokenService(vertx, "another-issuer-secret-0123456789abcdef");
  }

  @AfterAll
  void stop() {
    vertx.close().await();
    gateway.close();
  }

  /** A provider that counts its calls and hands out what {@code next} makes. */
  private static final class CountingProvider implements TokenProvider {
    final List<AccessToken> issued = new CopyOnWriteArrayList<>();
    private final Supplier<String> next;

    CountingProvider(Supplier<String> next) {
      this.next = next;
    }

    @Override
    public Future<AccessToken> newToken() {
      AccessToken token = AccessToken.of(next.get());
      issued.add(token);
      return Future.succeededFuture(token);
    }
  }

  private SyncClientOptions options(TokenProvider provider) {
    return SyncClientOptions.of("http://127.0.0.1:" + gateway.gateway().httpPort(), provider);
  }

  private SyncClient open(String name, SyncClientOptions options) {
    return SyncClient.open(vertx, SqliteLocalStore.open(dir.resolve(name + ".db")), options).await();
  }

  private static List<SyncEvent> record(SyncClient client, SyncEvent.Type type) {
    List<SyncEvent> events = new CopyOnWriteArrayList<>();
    client.onEvent(event -> {
      if (event.type() == type) {
        events.add(event);
      }
    });
    return events;
  }

  @Test
  @DisplayName("a token within the refresh margin of its expiry is renewed before a request, while still valid")
  void renewsBeforeExpiry() throws InterruptedException {
    String org = Changes.uniqueId("org");
    CountingProvider provider = new CountingProvider(() -> issuer.issue("u1", org, Role.MEMBER, 6));
    SyncClient client = open("early", options(provider).withTokenRefreshMargin(4_000));
    client.create(EntityType.TASK, new JsonObject().put("title", "first")).await();
    assertThat(client.syncNow().await().succeeded()).isTrue();
    assertThat(provider.issued).hasSize(1);

    long firstExpiry = provider.issued.get(0).expiresAtMs();
    Thread.sleep(Math.max(0, firstExpiry - 3_500 - System.currentTimeMillis()));
    client.create(EntityType.TASK, new JsonObject().put("title", "second")).await();
    SyncResult second = client.syncNow().await();

    assertThat(System.currentTimeMillis()).as("the first token was still valid").isLessThan(firstExpiry);
    assertThat(second.succeeded()).as(String.valueOf(second.error())).isTrue();
    assertThat(second.pushed()).isEqualTo(1);
    assertThat(provider.issued).hasSize(2);
    client.close();
  }

  @Test
  @DisplayName("a 401 renews the token exactly once and repeats the request: the sync succeeds")
  void renewsOnceAfterUnauthorized() {
    String org = Changes.uniqueId("org");
    List<String> tokens = List.of(strangers.issue("u1", org, Role.MEMBER, 3600),
        issuer.issue("u1", org, Role.MEMBER, 3600));
    // A third call would throw: the test also fails if the client asks more than twice.
    Iterator<String> next = tokens.iterator();
    CountingProvider provider = new CountingProvider(next::next);
    SyncClient client = open("revoked", options(provider));
    List<SyncEvent> authFailures = record(client, SyncEvent.Type.AUTHENTICATION_FAILED);
    client.create(EntityType.TASK, new JsonObject().put("title", "Buy milk")).await();

    SyncResult result = client.syncNow().await();

    assertThat(result.succeeded()).as(String.valueOf(result.error())).isTrue();
    assertThat(result.pushed()).isEqualTo(1);
    assertThat(provider.issued).hasSize(2);
    assertThat(authFailures).isEmpty();
    assertThat(client.pendingItems().await()).isEmpty();
    client.close();
  }

  @Test
  @DisplayName("a renewed token refused again fails the sync with one AUTHENTICATION_FAILED event, without a retry loop")
  void secondUnauthorizedIsAFailure() {
    String org = Changes.uniqueId("org");
    CountingProvider provider = new CountingProvider(() -> strangers.issue("u1", org, Role.MEMBER, 3600));
    SyncClient client = open("refused", options(provider));
    List<SyncEvent> authFailures = record(client, SyncEvent.Type.AUTHENTICATION_FAILED);
    client.create(EntityType.TASK, new JsonObject().put("title", "Buy milk")).await();

    SyncResult result = client.syncNow().await();

    assertThat(result.succeeded()).isFalse();
    assertThat(result.error()).contains("401");
    assertThat(provider.issued).hasSize(2);
    assertThat(authFailures).singleElement().extracting(SyncEvent::detail).asString().contains("refused");
    assertThat(client.pendingItems().await()).as("the change waits for a usable token").hasSize(1);
    client.close();
  }

  @Test
  @DisplayName("a token provider that fails fails the sync without sending anything, and says so in an event")
  void failingProvider() {
    SyncClient client = open("no-token", options(() -> Future.failedFuture("login server down")));
    List<SyncEvent> authFailures = record(client, SyncEvent.Type.AUTHENTICATION_FAILED);
    client.create(EntityType.TASK, new JsonObject().put("title", "Buy milk")).await();

    SyncResult result = client.syncNow().await();

    assertThat(result.succeeded()).isFalse();
    assertThat(result.error()).contains("login server down");
    assertThat(authFailures).isNotEmpty();
    assertThat(client.pendingItems().await()).singleElement().extracting(item -> item.retryCount()).isEqualTo(0);
    client.close();
  }

  @Test
  @DisplayName("when the gateway says reauthenticate, the live stream reconnects with a renewed token and keeps delivering")
  void liveStreamReconnectsWithRenewedToken() {
    String org = Changes.uniqueId("org");
    CountingProvider provider = new CountingProvider(() -> issuer.issue("u1", org, Role.MEMBER, 3));
    SyncClient reader = open("live-reader", options(provider).withTokenRefreshMargin(200)
        .withTriggers(3_600_000, 3_600_000));
    SyncClient writer = open("live-writer", SyncClientOptions.of("http://127.0.0.1:" + gateway.gateway().httpPort(),
        gateway.token("u2", org)));
    List<SyncEvent> connected = record(reader, SyncEvent.Type.LIVE_CONNECTED);
    List<SyncEvent> disconnected = record(reader, SyncEvent.Type.LIVE_DISCONNECTED);
    List<String> changed = new CopyOnWriteArrayList<>();
    reader.onChange((type, ids) -> changed.addAll(ids));
    reader.start();
    Eventually.until(() -> connected.size() == 1);

    Eventually.until(() -> connected.size() >= 2);
    assertThat(disconnected).first().extracting(SyncEvent::detail).asString().contains("token expired");
    assertThat(provider.issued.size()).isGreaterThanOrEqualTo(2);
    assertThat(reader.liveUpdatesState()).isEqualTo(LiveUpdates.State.CONNECTED);

    String id = writer.create(EntityType.TASK, new JsonObject().put("title", "after renewal")).await().id();
    writer.syncNow().await();
    Eventually.until(() -> changed.contains(id));
    reader.close();
    writer.close();
  }
}
