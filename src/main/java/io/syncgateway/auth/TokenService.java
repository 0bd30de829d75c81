package io.syncgateway.auth;

import io.syncgateway.batch.ItemParser;
import io.syncgateway.bus.ErrorCode;
import io.syncgateway.bus.GatewayException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;

/** Issues and verifies the gateway's HS256 tokens; claims: sub (user), org, role, exp. */
public final class TokenService {
  public static final int MIN_SECRET_BYTES = 32;
  private static final int MAX_CLAIM_LENGTH = 128;
  private static final String ALGORITHM = "HS256";

  private final JWTAuth jwt;

  public TokenService(Vertx vertx, String secret) {
    requireStrongSecret(secret);
    this.jwt = JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm(ALGORITHM).setBuffer(secret))
        .setJWTOptions(new JWTOptions().setAlgorithm(ALGORITHM)));
  }

  /** The secret is used as raw UTF-8 bytes and must be long enough to resist guessing. */
  public static void requireStrongSecret(String secret) {
    if (secret == null || secret.getBytes(StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
      throw new IllegalArgumentException(
          "SYNC_JWT_SECRET must be at least " + MIN_SECRET_BYTES + " bytes long");
    }
  }

  /** A random secret for a development session without a configured one. */
  public static String randomSecret() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  public String issue(String userId, String orgId, Role role, long expiresInSeconds) {
    JsonObject claims = new JsonObject().put("sub", userId).put("org", orgId).put("role", role.claim());
    JWTOptions options = new JWTOptions().setAlgorithm(ALGORITHM);
    if (expiresInSeconds > 0) {
      options.setExpiresInSeconds((int) Math.min(Integer.MAX_VALUE, expiresInSeconds));
    }
    return jwt.generateToken(claims, options);
  }

  /** Verifies a bearer token; every failure is the same terse 401, with nothing to help an attacker. */
  public Future<Principal> verify(String token) {
    if (token == null || token.isEmpty()) {
      return Future.failedFuture(unauthorized());
    }
    Future<io.vertx.ext.auth.User> authenticated;
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
          if (sub == null || org == null || role == null || !isHs256(token)) {
            return Future.failedFuture(unauthorized());
          }
          return Future.succeededFuture(new Principal(sub, org, role));
        });
  }

  private static String claimText(JsonObject claims, String name) {
    Object value = claims.getValue(name);
    if (value instanceof String text && !text.isEmpty() && text.length() <= MAX_CLAIM_LENGTH
        && !ItemParser.unstorable(text)) {
      return text;
    }
    return null;
  }

  /** Defence in depth: only HS256 headers are ever accepted, whatever the library allows. */
  private static boolean isHs256(String token) {
    int dot = token.indexOf('.');
    if (dot <= 0) {
      return false;
    }
    try {
      JsonObject header = new JsonObject(new String(
          Base64.getUrlDecoder().decode(token.substring(0, dot)), StandardCharsets.UTF_8));
      return ALGORITHM.equals(header.getValue("alg"));
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static GatewayException unauthorized() {
    return new GatewayException(ErrorCode.UNAUTHORIZED, "Missing or invalid bearer token");
  }
}
