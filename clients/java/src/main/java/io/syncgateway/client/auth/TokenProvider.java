package io.syncgateway.client.auth;

import io.vertx.core.Future;
import java.util.function.Supplier;

/**
 * Where the client gets its bearer tokens: the app's login or refresh-token flow. The client keeps
 * the current token ({@link Credentials}) and asks for a new one on first use, shortly before the
 * current one expires, and once after the gateway refused it (401).
 */
@FunctionalInterface
public interface TokenProvider {

  /** A new token. A failed future fails the request that needed it (see {@code AUTHENTICATION_FAILED}). */
  Future<AccessToken> newToken();

  /** Always the same token: the pre-provider behaviour. A 401 stays a 401. */
  static TokenProvider fixed(String token) {
    AccessToken fixed = AccessToken.of(token);
    return () -> Future.succeededFuture(fixed);
  }

  /** Tokens from a supplier of JWTs; each token's expiry is read from its {@code exp} claim. */
  static TokenProvider ofJwts(Supplier<Future<String>> jwts) {
    return () -> jwts.get().map(AccessToken::of);
  }
}
