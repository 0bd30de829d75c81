package io.syncgateway.security;

import static io.syncgateway.testsupport.Changes.batch;
import static io.syncgateway.testsupport.Changes.clock;
import static io.syncgateway.testsupport.Changes.task;
import static io.syncgateway.testsupport.Changes.uniqueId;
import static io.syncgateway.testsupport.Jwts.claims;
import static io.syncgateway.testsupport.Jwts.sign;
import static org.assertj.core.api.Assertions.assertThat;

import io.syncgateway.config.Setting;
import io.syncgateway.testsupport.GatewayHarness;
import io.syncgateway.testsupport.Jwts;
import io.syncgateway.testsupport.TestDatabase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gateway whose tokens are issued elsewhere: an RSA public key in a PEM file, an EC P-256 key in
 * a JWKS file, and {@code SYNC_JWT_ALGORITHMS=RS256,ES256}, so HS256 is off although a secret is
 * set. Over real HTTP, pushes and pulls work with those tokens and with nothing else.
 */
@DisplayName("Tokens issued elsewhere: RS256 and ES256 over real HTTP")
class ExternalTokensTest {
  @TempDir
  static Path dir;
  private static GatewayHarness gateway;
  private static KeyPair rsa;
  private static KeyPair ec;

  @BeforeAll
  static void start() {
    rsa = Jwts.rsa(2048);
    ec = Jwts.ec("secp256r1");
    Path pem = Jwts.write(dir, "issuer.pem", Jwts.pem(rsa.getPublic()));
    Path jwks = Jwts.write(dir, "jwks.json",
        new JsonObject().put("keys", new JsonArray().add(Jwts.jwk(ec.getPublic(), "ec-1"))).encode());
    gateway = GatewayHarness.start(TestDatabase.freshDatabase("external_tokens"), Map.of(
        Setting.JWT_PUBLIC_KEY_FILE, pem.toString(),
        Setting.JWT_JWKS_FILE, jwks.toString(),
        Setting.JWT_ALGORITHMS, "RS256,ES256"));
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  @Test
  @DisplayName("an RS256 token pushes (gzip body read in full) and an ES256 token of the same org pulls it")
  void pushAndPull() {
    String org = uniqueId("org");
    String device = uniqueId("dev");
    String rs256 = sign("RS256", rsa.getPrivate(), claims("alice", org), null);
    String es256 = sign("ES256", ec.getPrivate(), claims("bob", org), "ec-1");

    JsonObject pushed = gateway.pushOk(rs256, batch(device, "task", task("t1", clock(device, 1), "from the IdP")));

    assertThat(pushed.getInteger("processed")).isEqualTo(1);
    JsonObject task = gateway.getOk(es256, "/api/tasks/t1");
    assertThat(task.getString("title")).isEqualTo("from the IdP");
    assertThat(task.getString("createdBy")).isEqualTo("alice");
    assertThat(gateway.pullAll(es256, null, 10).getJsonArray("tasks")).hasSize(1);
  }

  @Test
  @DisplayName("HS256 tokens are refused: SYNC_JWT_ALGORITHMS leaves them out")
  void hs256Refused() {
    assertUnauthorized(gateway.get(gateway.token("alice", uniqueId("org")), "/api/sync/pull"));
  }

  @Test
  @DisplayName("alg none, a foreign RSA key, and HS256 keyed with the public PEM are refused")
  void forgeriesRefused() {
    String org = uniqueId("org");
    assertUnauthorized(gateway.get(Jwts.unsigned(claims("mallory", org)), "/api/sync/pull"));
    assertUnauthorized(gateway.get(sign("RS256", Jwts.rsa(2048).getPrivate(), claims("mallory", org), null),
        "/api/sync/pull"));
    byte[] pem = Jwts.pem(rsa.getPublic()).getBytes(StandardCharsets.UTF_8);
    assertUnauthorized(gateway.get(Jwts.hmac("HS256", "HmacSHA256", pem, claims("mallory", org)), "/api/sync/pull"));
  }

  @Test
  @DisplayName("roles come from the external token: a viewer may pull but not push")
  void viewerRole() {
    String org = uniqueId("org");
    String device = uniqueId("dev");
    String viewer = sign("RS256", rsa.getPrivate(), claims("vera", org).put("role", "viewer"), null);

    HttpResponse<Buffer> push = gateway.push(viewer, batch(device, "task", task("t1", clock(device, 1), "x")));

    assertThat(push.statusCode()).isEqualTo(403);
    assertThat(push.bodyAsJsonObject().getString("code")).isEqualTo("forbidden");
    assertThat(gateway.get(viewer, "/api/sync/pull").statusCode()).isEqualTo(200);
  }

  private static void assertUnauthorized(HttpResponse<Buffer> response) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(401);
    assertThat(response.bodyAsJsonObject().getString("code")).isEqualTo("unauthorized");
    assertThat(response.bodyAsJsonObject().getString("detail")).isEqualTo("Missing or invalid bearer token");
  }
}
