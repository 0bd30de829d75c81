package io.syncgateway.bridge;

import static io.syncgateway.testsupport.Changes.batch;
import static io.syncgateway.testsupport.Changes.clock;
import static io.syncgateway.testsupport.Changes.task;
import static io.syncgateway.testsupport.Changes.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;

import io.syncgateway.auth.Principal;
import io.syncgateway.auth.Role;
import io.syncgateway.auth.TokenService;
import io.syncgateway.testsupport.ChildGateway;
import io.syncgateway.testsupport.GatewayHarness;
import io.syncgateway.testsupport.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The TCP event-bus bridge of a gateway process (run as operators run it): who may join, and what they see. */
@DisplayName("Event-bus bridge: service tokens, the allow-list and organization scoping")
class BridgeTest {
  private static final Duration ANSWER = Duration.ofSeconds(3);
  private static final Duration QUIET = Duration.ofMillis(1000);

  private static ChildGateway gateway;
  private static int bridgePort;

  @BeforeAll
  static void startGateway() {
    bridgePort = GatewayHarness.freePort();
    gateway = ChildGateway.start("bridge-gateway", Map.of(
        "SYNC_PG_URL", TestDatabase.freshDatabase("bridge").connectionString(),
        "SYNC_BRIDGE_ENABLED", "true",
        "SYNC_BRIDGE_PORT", String.valueOf(bridgePort)));
  }

  @AfterAll
  static void stopGateway() {
    gateway.close();
  }

  private static String serviceToken(String org) {
    return gateway.client().token("service", org, Role.ADMIN);
  }

  /** An admin token signed with {@code secret}, with the given scopes. */
  private static String serviceToken(String secret, String org, Set<String> scopes) {
    Vertx vertx = Vertx.vertx();
    try {
      return new TokenService(vertx, secret).issue("service", org, Role.ADMIN, 60, scopes);
    } finally {
      vertx.close();
    }
  }

  private static void assertRefusedAndLogged(BridgeFrames bridge, String address, String reason) {
    JsonObject answer = bridge.next(ANSWER);
    assertThat(answer).as("an answer to the refused frame").isNotNull();
    assertThat(answer.getString("type")).isEqualTo("err");
    gateway.jvm().awaitLine(line -> line.contains("Bridge: refused") && line.contains("'" + address + "'")
        && line.contains(reason), ANSWER);
  }

  @Test
  @DisplayName("a frame without a token is refused and logged")
  void frameWithoutTokenIsRefused() {
    String address = "sync.changes." + uniqueId("org");
    try (BridgeFrames bridge = BridgeFrames.connect(bridgePort)) {
      bridge.send(BridgeFrames.frame("register", address, null));
      assertRefusedAndLogged(bridge, address, "no service token");
    }
  }

  @Test
  @DisplayName("a token signed with another key, or of a role other than admin, is refused and logged")
  void invalidOrNonAdminTokenIsRefused() {
    String org = uniqueId("org");
    String address = "sync.changes." + org;
    try (BridgeFrames bridge = BridgeFrames.connect(bridgePort)) {
      String forged = serviceToken("another-secret-of-at-least-32-bytes-0123456789", org, Set.of());
      bridge.send(BridgeFrames.frame("register", address, forged));
      assertRefusedAndLogged(bridge, address, "invalid service token");

      bridge.send(BridgeFrames.frame("register", address, gateway.client().token("alice", org, Role.MEMBER)));
      assertRefusedAndLogged(bridge, address, "not admin");
    }
  }

  @Test
  @DisplayName("an address outside the allow-list is refused and logged, even with a valid service token")
  void addressOutsideTheAllowListIsRefused() {
    String org = uniqueId("org");
    try (BridgeFrames bridge = BridgeFrames.connect(bridgePort)) {
      bridge.send(BridgeFrames.frame("register", "sync.push.commit", serviceToken(org)));
      assertRefusedAndLogged(bridge, "sync.push.commit", "address not allowed");

      bridge.send(BridgeFrames.frame("send", "sync.db.ping", serviceToken(org)).put("body", new JsonObject()));
      assertRefusedAndLogged(bridge, "sync.db.ping", "only replies may be sent");
    }
  }

  @Test
  @DisplayName("a service token of organization X never receives Y's changes; X's arrive with type, id, operation, position")
  void changesAreScopedByOrganization() {
    String x = uniqueId("org-x");
    String y = uniqueId("org-y");
    try (BridgeFrames bridge = BridgeFrames.connect(bridgePort)) {
      bridge.send(BridgeFrames.frame("register", "sync.changes." + y, serviceToken(x)));
      assertRefusedAndLogged(bridge, "sync.changes." + y, "address not allowed for organization " + x);

      bridge.send(BridgeFrames.frame("register", "sync.changes." + x, serviceToken(x)));
      bridge.send(BridgeFrames.frame("ping", null, serviceToken(x)));
      assertThat(bridge.next(ANSWER).getString("type")).isEqualTo("pong");

      gateway.client().pushOk(gateway.client().token("bob", y), batch("phone-y", "task", task("t-y", clock("phone-y", 1), "Y")));
      gateway.client().pushOk(gateway.client().token("alice", x), batch("phone-x", "task", task("t-x", clock("phone-x", 1), "X")));

      JsonObject message = bridge.next(ANSWER);
      assertThat(message.getString("type")).isEqualTo("message");
      assertThat(message.getString("address")).isEqualTo("sync.changes." + x);
      JsonObject change = message.getJsonObject("body").getJsonArray("changes").getJsonObject(0);
      assertThat(change.getString("type")).isEqualTo("task");
      assertThat(change.getString("id")).isEqualTo("t-x");
      assertThat(change.getString("operation")).isEqualTo("create");
      assertThat(change.getJsonObject("position").getLong("seq")).isPositive();
      assertThat(change.containsKey("fields")).as("no entity fields").isFalse();
      assertThat(message.getJsonObject("body").encode()).doesNotContain("t-y");
      assertThat(bridge.next(QUIET)).as("nothing of Y").isNull();
    }
  }

  @Test
  @DisplayName("entity bodies only for a token with the scope changes:bodies; with it, each change carries the entity")
  void bodiesNeedTheirScope() {
    String org = uniqueId("org-b");
    try (BridgeFrames bridge = BridgeFrames.connect(bridgePort)) {
      bridge.send(BridgeFrames.frame("register", "sync.changes-full." + org, serviceToken(org)));
      assertRefusedAndLogged(bridge, "sync.changes-full." + org, "scope changes:bodies");

      String withBodies = serviceToken(GatewayHarness.SECRET, org, Set.of(Principal.CHANGE_BODIES));
      bridge.send(BridgeFrames.frame("register", "sync.changes-full." + org, withBodies));
      bridge.send(BridgeFrames.frame("ping", null, withBodies));
      assertThat(bridge.next(ANSWER).getString("type")).isEqualTo("pong");

      gateway.client().pushOk(gateway.client().token("alice", org), batch("phone", "task", task("t-b", clock("phone", 1), "Body")));

      JsonObject change = bridge.next(ANSWER).getJsonObject("body").getJsonArray("changes").getJsonObject(0);
      assertThat(change.getString("id")).isEqualTo("t-b");
      assertThat(change.getJsonObject("entity").getString("title")).isEqualTo("Body");
      assertThat(change.getJsonObject("entity").getString("checksum")).isNotBlank();
    }
  }
}
