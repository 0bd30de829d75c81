package io.syncgateway.auth;

import static io.syncgateway.testsupport.Jwts.claims;
import static io.syncgateway.testsupport.Jwts.sign;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.syncgateway.bus.ErrorCode;
import io.syncgateway.bus.GatewayException;
import io.syncgateway.config.GatewayConfig;
import io.syncgateway.config.Setting;
import io.syncgateway.testsupport.Jwts;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Token verification (PROTOCOL.md §2): HS256 with the secret by default; optionally RS256/ES256
 * with an operator's public keys (PEM or JWKS file); never {@code none}, never an algorithm without
 * a configured key, and every refusal the same terse 401.
 */
@DisplayName("TokenService")
class TokenServiceTest {
  private static final String SECRET = "unit-test-secret-0123456789abcdef-0123";

  @TempDir
  static Path dir;
  private static Vertx vertx;
  private static KeyPair rsa;
  private static KeyPair otherRsa;
  private static KeyPair ec;
  private static KeyPair otherEc;
  private static Path rsaPem;
  private static Path ecPem;

  @BeforeAll
  static void keys() {
    vertx = Vertx.vertx();
    rsa = Jwts.rsa(2048);
    otherRsa = Jwts.rsa(2048);
    ec = Jwts.ec("secp256r1");
    otherEc = Jwts.ec("secp256r1");
    rsaPem = Jwts.write(dir, "rsa.pem", Jwts.pem(rsa.getPublic()));
    ecPem = Jwts.write(dir, "ec.pem", Jwts.pem(ec.getPublic()));
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  private static GatewayConfig config() {
    return GatewayConfig.from(new JsonObject());
  }

  private static TokenService service(GatewayConfig config) {
    return TokenService.fromConfig(vertx, config);
  }

  /** The principal of an accepted token; fails the test unless verification finished at once. */
  private static Principal accepted(TokenService tokens, String token) {
    Future<Principal> result = tokens.verify(token);
    assertThat(result.isComplete()).as("verification completes synchronously").isTrue();
    assertThat(result.succeeded()).as("accepted, failure: %s", result.cause()).isTrue();
    return result.result();
  }

  private static void refused(TokenService tokens, String token) {
    Future<Principal> result = tokens.verify(token);
    assertThat(result.isComplete()).as("verification completes synchronously").isTrue();
    assertThat(result.failed()).as("refused").isTrue();
    assertThat(result.cause()).isInstanceOf(GatewayException.class);
    GatewayException failure = (GatewayException) result.cause();
    assertThat(failure.code()).isEqualTo(ErrorCode.UNAUTHORIZED);
    assertThat(failure.detail()).isEqualTo("Missing or invalid bearer token");
  }

  private static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID();
  }

  @Nested
  @DisplayName("HS256 with the secret (the default)")
  class Hs256 {
    private final TokenService tokens = new TokenService(vertx, SECRET);

    @Test
    @DisplayName("verifies the tokens it issues: sub, org, role and exp")
    void issuedTokensVerify() {
      long issuedAt = System.currentTimeMillis();
      Principal principal = accepted(tokens, tokens.issue("alice", "acme", Role.ADMIN, 60));

      assertThat(principal).usingRecursiveComparison().ignoringFields("expiresAtMillis")
          .isEqualTo(new Principal("alice", "acme", Role.ADMIN));
      assertThat(principal.expiresAtMillis()).isBetween(issuedAt + 58_000, issuedAt + 61_000);
    }

    @Test
    @DisplayName("accepts only HS256")
    void onlyHs256() {
      assertThat(tokens.algorithms()).containsExactly("HS256");
    }

    @Test
    @DisplayName("refuses alg none")
    void refusesNone() {
      refused(tokens, Jwts.unsigned(claims("alice", "acme")));
    }

    @Test
    @DisplayName("refuses an RS256 token: no public key is configured")
    void refusesRs256() {
      refused(tokens, sign("RS256", rsa.getPrivate(), claims("alice", "acme"), null));
    }

    @Test
    @DisplayName("refuses HS512 signed with the right secret")
    void refusesHs512() {
      refused(tokens, Jwts.hmac("HS512", "HmacSHA512", SECRET.getBytes(StandardCharsets.UTF_8), claims("a", "b")));
    }

    @Test
    @DisplayName("refuses a signed token whose exp is not a number, as a 401")
    void refusesStringExpiry() {
      refused(tokens, Jwts.hmac("HS256", "HmacSHA256", SECRET.getBytes(StandardCharsets.UTF_8),
          claims("a", "b").put("exp", "tomorrow")));
    }

    @Test
    @DisplayName("refuses an expired token")
    void refusesExpired() {
      refused(tokens, Jwts.hmac("HS256", "HmacSHA256", SECRET.getBytes(StandardCharsets.UTF_8),
          claims("a", "b").put("exp", System.currentTimeMillis() / 1000 - 10)));
    }

    @Test
    @DisplayName("refuses a missing, empty or garbage token")
    void refusesGarbage() {
      refused(tokens, null);
      refused(tokens, "");
      refused(tokens, "garbage");
      refused(tokens, "a.b.c");
      refused(tokens, "....");
    }

    @Test
    @DisplayName("a secret under 32 bytes stops the start")
    void shortSecret() {
      assertThatThrownBy(() -> service(config().with(Setting.JWT_SECRET, "too-short")))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("32 bytes");
    }

    @Test
    @DisplayName("no secret and no public key stops the start")
    void nothingConfigured() {
      assertThatThrownBy(() -> service(config())).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("SYNC_JWT_SECRET").hasMessageContaining("SYNC_JWT_PUBLIC_KEY_FILE");
    }
  }

  @Nested
  @DisplayName("RS256 with a PEM public key file")
  class Rs256Pem {
    private final TokenService tokens = service(config().with(Setting.JWT_PUBLIC_KEY_FILE, rsaPem.toString()));

    @Test
    @DisplayName("accepts a token signed with the matching private key")
    void accepts() {
      String user = unique("user");
      Principal principal = accepted(tokens, sign("RS256", rsa.getPrivate(), claims(user, "acme").put("role", "viewer"), null));

      assertThat(principal).usingRecursiveComparison().ignoringFields("expiresAtMillis")
          .isEqualTo(new Principal(user, "acme", Role.VIEWER));
    }

    @Test
    @DisplayName("without a secret, only RS256 is accepted and no token can be issued")
    void rs256Only() {
      assertThat(tokens.algorithms()).containsExactly("RS256");
      assertThatThrownBy(() -> tokens.issue("a", "b", Role.MEMBER, 60)).isInstanceOf(IllegalStateException.class);
      refused(tokens, new TokenService(vertx, SECRET).issue("a", "b", Role.MEMBER, 60));
    }

    @Test
    @DisplayName("refuses a token signed with another RSA key")
    void otherKey() {
      refused(tokens, sign("RS256", otherRsa.getPrivate(), claims("a", "b"), null));
    }

    @Test
    @DisplayName("refuses a token whose payload was changed after signing")
    void tampered() {
      String[] parts = sign("RS256", rsa.getPrivate(), claims("a", "acme"), null).split("\\.");
      String forged = Jwts.b64(claims("a", "victim-org").encode().getBytes(StandardCharsets.UTF_8));

      refused(tokens, parts[0] + "." + forged + "." + parts[2]);
    }

    @Test
    @DisplayName("refuses HS256 signed with the public key's PEM text (algorithm confusion)")
    void algorithmConfusion() {
      byte[] pem = Jwts.pem(rsa.getPublic()).getBytes(StandardCharsets.UTF_8);
      refused(tokens, Jwts.hmac("HS256", "HmacSHA256", pem, claims("a", "b")));
      TokenService withSecret = service(config().with(Setting.JWT_PUBLIC_KEY_FILE, rsaPem.toString())
          .with(Setting.JWT_SECRET, SECRET));
      refused(withSecret, Jwts.hmac("HS256", "HmacSHA256", pem, claims("a", "b")));
    }

    @Test
    @DisplayName("refuses RS512 signed with the right key: not a configured algorithm")
    void rs512() {
      refused(tokens, sign("RS512", rsa.getPrivate(), claims("a", "b"), null));
    }

    @Test
    @DisplayName("refuses alg none")
    void none() {
      refused(tokens, Jwts.unsigned(claims("a", "b")));
    }

    @Test
    @DisplayName("refuses an expired token, a missing org and an unknown role")
    void claims_() {
      refused(tokens, sign("RS256", rsa.getPrivate(), claims("a", "b").put("exp", System.currentTimeMillis() / 1000 - 1), null));
      JsonObject noOrg = claims("a", "b");
      noOrg.remove("org");
      refused(tokens, sign("RS256", rsa.getPrivate(), noOrg, null));
      refused(tokens, sign("RS256", rsa.getPrivate(), claims("a", "b").put("role", "owner"), null));
    }

    @Test
    @DisplayName("with the secret too, both HS256 and RS256 are accepted")
    void both() {
      TokenService both = service(config().with(Setting.JWT_PUBLIC_KEY_FILE, rsaPem.toString())
          .with(Setting.JWT_SECRET, SECRET));

      assertThat(both.algorithms()).containsExactlyInAnyOrder("HS256", "RS256");
      accepted(both, both.issue("a", "b", Role.MEMBER, 60));
      accepted(both, sign("RS256", rsa.getPrivate(), claims("a", "b"), null));
    }

    @Test
    @DisplayName("an RSA key under 2048 bits stops the start")
    void weakKey() {
      Path weak = Jwts.write(dir, "weak.pem", Jwts.pem(Jwts.rsa(1024).getPublic()));

      assertThatThrownBy(() -> service(config().with(Setting.JWT_PUBLIC_KEY_FILE, weak.toString())))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2048");
    }

    @Test
    @DisplayName("a file with a private key, no key or a missing file stops the start")
    void badFiles() {
      Path privateKey = Jwts.write(dir, "private.pem", "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n");
      Path empty = Jwts.write(dir, "empty.pem", "nothing here");

      assertThatThrownBy(() -> service(config().with(Setting.JWT_PUBLIC_KEY_FILE, privateKey.toString())))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PRIVATE KEY");
      assertThatThrownBy(() -> service(config().with(Setting.JWT_PUBLIC_KEY_FILE, empty.toString())))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("BEGIN PUBLIC KEY");
      assertThatThrownBy(() -> service(config().with(Setting.JWT_PUBLIC_KEY_FILE, dir.resolve("absent.pem").toString())))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot read");
    }
  }

  @Nested
  @DisplayName("ES256 with a PEM public key file")
  class Es256Pem {
    private final TokenService tokens = service(config().with(Setting.JWT_PUBLIC_KEY_FILE, ecPem.toString()));

    @Test
    @DisplayName("accepts a token signed with the matching P-256 key (raw R||S signature)")
    void accepts() {
      assertThat(tokens.algorithms()).containsExactly("ES256");
      assertThat(accepted(tokens, sign("ES256", ec.getPrivate(), claims("u", "o"), null)))
          .usingRecursiveComparison().ignoringFields("expiresAtMillis")
          .isEqualTo(new Principal("u", "o", Role.MEMBER));
    }

    @Test
    @DisplayName("refuses a token signed with another P-256 key")
    void otherKey() {
      refused(tokens, sign("ES256", otherEc.getPrivate(), claims("u", "o"), null));
    }

    @Test
    @DisplayName("refuses RS256 and alg none")
    void otherAlgorithms() {
      refused(tokens, sign("RS256", rsa.getPrivate(), claims("u", "o"), null));
      refused(tokens, Jwts.unsigned(claims("u", "o")));
    }

    @Test
    @DisplayName("a P-384 key stops the start: only P-256 (ES256) is supported")
    void p384() {
      Path p384 = Jwts.write(dir, "p384.pem", Jwts.pem(Jwts.ec("secp384r1").getPublic()));

      assertThatThrownBy(() -> service(config().with(Setting.JWT_PUBLIC_KEY_FILE, p384.toString())))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("P-256");
    }

    @Test
    @DisplayName("one PEM file may hold an RSA and an EC key")
    void bothKeysInOneFile() {
      Path both = Jwts.write(dir, "both.pem", Jwts.pem(rsa.getPublic()) + Jwts.pem(ec.getPublic()));
      TokenService tokens = service(config().with(Setting.JWT_PUBLIC_KEY_FILE, both.toString()));

      accepted(tokens, sign("RS256", rsa.getPrivate(), claims("u", "o"), null));
      accepted(tokens, sign("ES256", ec.getPrivate(), claims("u", "o"), null));
    }
  }

  @Nested
  @DisplayName("a JWKS file")
  class Jwks {
    private Path jwks(JsonObject... keys) {
      return Jwts.write(dir, unique("jwks") + ".json", new JsonObject().put("keys", new JsonArray(List.of((Object[]) keys))).encode());
    }

    @Test
    @DisplayName("accepts RS256 and ES256 tokens by kid, and without a kid")
    void accepts() {
      TokenService tokens = service(config().with(Setting.JWT_JWKS_FILE,
          jwks(Jwts.jwk(rsa.getPublic(), "r1"), Jwts.jwk(ec.getPublic(), "e1")).toString()));

      assertThat(tokens.algorithms()).containsExactlyInAnyOrder("RS256", "ES256");
      accepted(tokens, sign("RS256", rsa.getPrivate(), claims("u", "o"), "r1"));
      accepted(tokens, sign("ES256", ec.getPrivate(), claims("u", "o"), "e1"));
      accepted(tokens, sign("RS256", rsa.getPrivate(), claims("u", "o"), null));
    }

    @Test
    @DisplayName("refuses an unknown kid and a key of the set used under the wrong kid")
    void kids() {
      TokenService tokens = service(config().with(Setting.JWT_JWKS_FILE,
          jwks(Jwts.jwk(rsa.getPublic(), "r1"), Jwts.jwk(otherRsa.getPublic(), "r2")).toString()));

      refused(tokens, sign("RS256", rsa.getPrivate(), claims("u", "o"), "nope"));
      refused(tokens, sign("RS256", rsa.getPrivate(), claims("u", "o"), "r2"));
      accepted(tokens, sign("RS256", otherRsa.getPrivate(), claims("u", "o"), "r2"));
    }

    @Test
    @DisplayName("skips encryption keys, symmetric keys and other algorithms; drops private members")
    void skipsUnusableKeys() {
      JsonObject withPrivate = Jwts.jwk(rsa.getPublic(), "r1").put("d", "AAAA").put("p", "AAAA");
      Path file = jwks(Jwts.jwk(otherRsa.getPublic(), "enc").put("use", "enc"),
          new JsonObject().put("kty", "oct").put("kid", "hmac").put("k", Jwts.b64(SECRET.getBytes(StandardCharsets.UTF_8))),
          Jwts.jwk(otherRsa.getPublic(), "r512").put("alg", "RS512"),
          withPrivate);

      List<JsonObject> loaded = VerificationKeys.readJwksFile(file);

      assertThat(loaded).hasSize(1);
      assertThat(loaded.get(0).getString("kid")).isEqualTo("r1");
      assertThat(loaded.get(0).fieldNames()).doesNotContain("d", "p");
      TokenService tokens = service(config().with(Setting.JWT_JWKS_FILE, file.toString()));
      refused(tokens, Jwts.hmac("HS256", "HmacSHA256", SECRET.getBytes(StandardCharsets.UTF_8), claims("u", "o")));
      refused(tokens, sign("RS256", otherRsa.getPrivate(), claims("u", "o"), "enc"));
    }

    @Test
    @DisplayName("a JWKS without a usable key, or not a JWKS at all, stops the start")
    void unusable() {
      Path onlyEnc = jwks(Jwts.jwk(rsa.getPublic(), "enc").put("use", "enc"));
      Path notJwks = Jwts.write(dir, "not-jwks.json", "[1, 2, 3]");
      Path badKey = jwks(new JsonObject().put("kty", "EC").put("crv", "P-256").put("x", "AA").put("y", "AA"));

      assertThatThrownBy(() -> service(config().with(Setting.JWT_JWKS_FILE, onlyEnc.toString())))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no RS256 or ES256");
      assertThatThrownBy(() -> service(config().with(Setting.JWT_JWKS_FILE, notJwks.toString())))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("JWKS");
      assertThatThrownBy(() -> service(config().with(Setting.JWT_JWKS_FILE, badKey.toString())))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ES256");
    }
  }

  @Nested
  @DisplayName("SYNC_JWT_ALGORITHMS")
  class Algorithms {
    @Test
    @DisplayName("RS256 alone turns HS256 off even with a secret")
    void restricts() {
      TokenService tokens = service(config().with(Setting.JWT_SECRET, SECRET)
          .with(Setting.JWT_PUBLIC_KEY_FILE, rsaPem.toString()).with(Setting.JWT_ALGORITHMS, "RS256"));

      assertThat(tokens.algorithms()).containsExactly("RS256");
      refused(tokens, new TokenService(vertx, SECRET).issue("a", "b", Role.MEMBER, 60));
      accepted(tokens, sign("RS256", rsa.getPrivate(), claims("a", "b"), null));
    }

    @Test
    @DisplayName("an algorithm without a key, an unknown one, or none stops the start")
    void refusesImpossibleLists() {
      GatewayConfig rsaOnly = config().with(Setting.JWT_PUBLIC_KEY_FILE, rsaPem.toString());

      assertThatThrownBy(() -> service(rsaOnly.with(Setting.JWT_ALGORITHMS, "ES256")))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no key");
      assertThatThrownBy(() -> service(rsaOnly.with(Setting.JWT_ALGORITHMS, "RS256,HS256")))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("SYNC_JWT_SECRET");
      assertThatThrownBy(() -> service(rsaOnly.with(Setting.JWT_ALGORITHMS, "none")))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not supported");
      assertThatThrownBy(() -> service(rsaOnly.with(Setting.JWT_ALGORITHMS, "RS512")))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not supported");
    }

    @Test
    @DisplayName("names are trimmed and case-insensitive")
    void lenientSpelling() {
      TokenService tokens = service(config().with(Setting.JWT_SECRET, SECRET)
          .with(Setting.JWT_JWKS_FILE, Jwts.write(dir, "one.json",
              new JsonObject().put("keys", new JsonArray().add(Jwts.jwk(ec.getPublic(), "e1"))).encode()).toString())
          .with(Setting.JWT_ALGORITHMS, " es256 , hs256 "));

      assertThat(tokens.algorithms()).containsExactlyInAnyOrder("ES256", "HS256");
    }
  }

  @Nested
  @DisplayName("issuer and audience")
  class IssuerAndAudience {
    private final GatewayConfig checked = config().with(Setting.JWT_PUBLIC_KEY_FILE, rsaPem.toString())
        .with(Setting.JWT_SECRET, SECRET)
        .with(Setting.JWT_ISSUER, "https://idp.example").with(Setting.JWT_AUDIENCE, "sync-gateway");

    @Test
    @DisplayName("when configured, iss must match and aud must name the gateway")
    void checked() {
      TokenService tokens = service(checked);
      JsonObject good = claims("u", "o").put("iss", "https://idp.example").put("aud", "sync-gateway");

      accepted(tokens, sign("RS256", rsa.getPrivate(), good, null));
      accepted(tokens, sign("RS256", rsa.getPrivate(), good.copy().put("aud", new JsonArray().add("x").add("sync-gateway")), null));
      refused(tokens, sign("RS256", rsa.getPrivate(), claims("u", "o").put("aud", "sync-gateway"), null));
      refused(tokens, sign("RS256", rsa.getPrivate(), good.copy().put("iss", "https://evil.example"), null));
      refused(tokens, sign("RS256", rsa.getPrivate(), good.copy().put("aud", "another-app"), null));
    }

    @Test
    @DisplayName("the gateway's own tokens carry them")
    void issued() {
      TokenService tokens = service(checked);

      accepted(tokens, tokens.issue("u", "o", Role.MEMBER, 60));
    }
  }

  @Test
  @DisplayName("public key files are what turns the development secret off")
  void publicKeyFilesDetected() {
    assertThat(VerificationKeys.hasPublicKeyFiles(config())).isFalse();
    assertThat(VerificationKeys.hasPublicKeyFiles(config().with(Setting.JWT_PUBLIC_KEY_FILE, "k.pem"))).isTrue();
    assertThat(VerificationKeys.hasPublicKeyFiles(config().with(Setting.JWT_JWKS_FILE, "k.json"))).isTrue();
  }
}
