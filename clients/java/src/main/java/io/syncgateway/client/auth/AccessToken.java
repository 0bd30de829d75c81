package io.syncgateway.client.auth;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;

/**
 * A bearer token and when it expires.
 *
 * @param value the token as sent in {@code Authorization: Bearer …}
 * @param expiresAtMs epoch milliseconds after which the gateway refuses it; {@link #NEVER} when unknown
 */
public record AccessToken(String value, long expiresAtMs) {
  public static final long NEVER = Long.MAX_VALUE;

  public AccessToken {
    Objects.requireNonNull(value, "value");
  }

  /** A JWT whose expiry is read from its {@code exp} claim (not verified: the gateway does that). */
  public static AccessToken of(String jwt) {
    return new AccessToken(jwt, expiryOf(jwt));
  }

  /** The {@code exp} claim in milliseconds, or {@link #NEVER} when the token has none or is not a JWT. */
  static long expiryOf(String jwt) {
    String[] parts = jwt.split("\\.");
    if (parts.length < 2) {
      return NEVER;
    }
    try {
      JsonObject claims = new JsonObject(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
      Object exp = claims.getValue("exp");
      return exp instanceof Number seconds ? (long) (seconds.doubleValue() * 1000) : NEVER;
    } catch (RuntimeException notAJwt) {
      return NEVER;
    }
  }

  /** Whether the token expires within {@code marginMs} of {@code now}. */
  public boolean expiresWithin(long marginMs, long now) {
    return expiresAtMs != NEVER && expiresAtMs - marginMs <= now;
  }

  /** Never prints the token itself. */
  @Override
  public String toString() {
    return "AccessToken[expiresAtMs=" + expiresAtMs + "]";
  }
}
