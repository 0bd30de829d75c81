package io.syncgateway.auth;

import io.syncgateway.batch.ItemParser;
import io.syncgateway.bus.ErrorCode;
import io.syncgateway.bus.GatewayException;
import io.syncgateway.config.GatewayConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Issues the gateway's HS256 tokens and verifies bearer tokens; claims: sub (user), org, role, exp.
 * Verification accepts HS256 with the configured secret (the default) and, when configured, RS256
 * and ES256 with public keys from a PEM or JWKS file ({@link VerificationKeys}); never {@code none}
 * and never an algorithm without a configured key.
 */
public final class TokenService {
  public static final int MIN_SECRET_BYTES = VerificationKeys.MIN_SECRET_BYTES;
  private static final int MAX_CLAIM_LENGTH = 128;
  private static final String ISSUE_ALGORITHM = VerificationKeys.HS256;

  private final JWTAuth jwt;
  private final Set<String> algorithms;
  private final boolean canIssue;
  private final String issuer;
  private final String audience;

  /** HS256 with {@code secret} (at least 32 bytes): the default setup. */
  public TokenService(Vertx vertx, String secret) {
    this(vertx, VerificationKeys.hs256(secret));
  }

  public TokenService(Vertx vertx, VerificationKeys keys) {
    JWTOptions options = new JWTOptions().setAlgorithm(ISSUE_ALGORITHM);
    if (keys.issuer() != null) {
      options.setIssuer(keys.issuer());
    }
    if (keys.audience() != null) {
      options.addAudience(keys.audience());
    }
    this.jwt = JWTAuth.create(vertx, keys.toOptions().setJWTOptions(options));
    this.algorithms = keys.algorithms();
    this.canIssue = keys.secret() != null;
    this.issuer = keys.issuer();
    this.audience = keys.audience();
  }

  /** The token service the configuration describes (see {@link VerificationKeys#fromConfig}). */
  public static TokenService fromConfig(Vertx vertx, GatewayConfig config) {
    return new TokenService(vertx, VerificationKeys.fromConfig(config));
  }

  /** The secret is used as raw UTF-8 bytes and must be long enough to resist guessing. */
  public static void requireStrongSecret(String secret) {
    VerificationKeys.requireStrongSecret(secret);
  }

  /** A random secret for a development session without a configured one. */
  public static String randomSecret() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** The algorithms a token may be signed with. */
  public Set<String> algorithms() {
    return algorithms;
  }

  /** Issues an HS256 token; only possible when the HS256 secret is configured. */
  public String issue(String userId, String orgId, Role role, long expiresInSeconds) {
    return issue(userId, orgId, role, expiresInSeconds, Set.of());
  }

  /** The same with a {@code scope} claim (space-separated), when {@code scopes} is not empty. */
  public String issue(String userId, String orgId, Role role, long expiresInSeconds, Set<String> scopes) {
    if (!canIssue) {
      throw new IllegalStateException("Tokens can only be issued with an HS256 secret (SYNC_JWT_SECRET)");
    }
    JsonObject claims = new JsonObject().put("sub", userId).put("org", orgId).put("role", role.claim());
    if (!scopes.isEmpty()) {
      claims.put("scope", String.join(" ", new TreeSet<>(scopes)));
    }
    JWTOptions options = new JWTOptions().setAlgorithm(ISSUE_ALGORITHM);
    if (issuer != null) {
      options.setIssuer(issuer);
    }
    if (audience != null) {
      options.addAudience(audience);
    }
    if (expiresInSeconds > 0) {
      options.setExpiresInSeconds((int) Math.min(Integer.MAX_VALUE, expiresInSeconds));
    }
    return jwt.generateToken(claims, options);
  }

  /**
   * Verifies a bearer token; every failure is the same terse 401, with nothing to help an attacker.
   * Completes before returning (the keys are in memory), so the request body is not missed.
   */
  public Future<Principal> verify(String token) {
    if (token == null || token.isEmpty() || !algorithms.contains(headerAlgorithm(token))) {
      return Future.failedFuture(unauthorized());
    }
    Future<User> authenticated;
    try {
      authenticated = jwt.authenticate(new TokenCredentials(token));
    } catch (RuntimeException e) {
      // The library throws on some well-signed but malformed claims (e.g. a string "exp").
      return Future.failedFuture(unauthorized());
    }
    return authenticated
        .recover(error -> Future.failedFuture(unauthorized()))
        .compose(user -> {
          JsonObject claims = user.principal();
          String sub = claimText(claims, "sub");
          String org = claimText(claims, "org");
          Object roleClaim = claims.getValue("role");
          Role role = roleClaim == null || roleClaim instanceof String
              ? Role.fromClaim((String) roleClaim) : null;
          if (sub == null || org == null || role == null) {
            return Future.failedFuture(unauthorized());
          }
          return Future.succeededFuture(new Principal(sub, org, role, expiresAtMillis(user), scopes(claims)));
        });
  }

  /** The verified {@code exp} (kept among the user's attributes, not its principal), or 0 without one. */
  private static long expiresAtMillis(User user) {
    Object exp = user.containsKey("exp") ? user.get("exp") : null;
    return exp instanceof Number seconds ? seconds.longValue() * 1000 : 0;
  }

  /** The {@code scope} claim's words; anything but a string grants nothing. */
  private static Set<String> scopes(JsonObject claims) {
    return claims.getValue("scope") instanceof String text && text.length() <= MAX_CLAIM_LENGTH
        ? Arrays.stream(text.trim().split("\\s+")).filter(word -> !word.isEmpty()).collect(Collectors.toSet())
        : Set.of();
  }

  private static String claimText(JsonObject claims, String name) {
    Object value = claims.getValue(name);
    if (value instanceof String text && !text.isEmpty() && text.length() <= MAX_CLAIM_LENGTH
        && !ItemParser.unstorable(text)) {
      return text;
    }
    return null;
  }

  /**
   * Defence in depth: the {@code alg} of the token's header, checked against the configured
   * algorithms before the library sees the token, whatever it would allow.
   */
  private static String headerAlgorithm(String token) {
    int dot = token.indexOf('.');
    if (dot <= 0) {
      return null;
    }
    try {
      Object alg = new JsonObject(new String(
          Base64.getUrlDecoder().decode(token.substring(0, dot)), StandardCharsets.UTF_8)).getValue("alg");
      return alg instanceof String name ? name : null;
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static GatewayException unauthorized() {
    return new GatewayException(ErrorCode.UNAUTHORIZED, "Missing or invalid bearer token");
  }
}
