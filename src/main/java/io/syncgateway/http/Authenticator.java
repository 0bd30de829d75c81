package io.syncgateway.http;

import io.syncgateway.auth.Principal;
import io.syncgateway.auth.TokenService;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/** Resolves the bearer token of every /api request into a {@link Principal}, or answers 401. */
final class Authenticator implements Handler<RoutingContext> {
  static final String PRINCIPAL_KEY = "principal";
  private static final String BEARER = "bearer ";

  private final TokenService tokens;

  Authenticator(TokenService tokens) {
    this.tokens = tokens;
  }

  static Principal principal(RoutingContext rc) {
    return rc.get(PRINCIPAL_KEY);
  }

  @Override
  public void handle(RoutingContext rc) {
    String header = rc.request().getHeader("Authorization");
    String token = header != null && header.length() > BEARER.length()
        && header.regionMatches(true, 0, BEARER, 0, BEARER.length()) ? header.substring(BEARER.length()).trim() : null;
    // Verification (HS256, RS256, ES256 with keys in memory) completes synchronously, so the request
    // body is not missed by later handlers.
    tokens.verify(token).onComplete(result -> {
      if (result.succeeded()) {
        rc.put(PRINCIPAL_KEY, result.result());
        rc.put(RequestLog.USER_KEY, result.result().userId());
        rc.next();
      } else {
        rc.fail(result.cause());
      }
    });
  }
}
