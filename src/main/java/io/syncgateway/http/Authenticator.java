package io.syncgateway.http;

import io.syncgateway.auth.Principal;
import io.syncgateway.auth.TokenService;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;

/**
 * Resolves the bearer token of every /api request into a {@link Principal}, or answers 401. On the
 * paths given (the live-update stream: browsers' EventSource cannot set headers) the token may come
 * in the {@value #QUERY_TOKEN} query parameter instead; the request log never writes queries.
 */
final class Authenticator implements Handler<RoutingContext> {
  static final String PRINCIPAL_KEY = "principal";
  private static final String BEARER = "bearer ";

  static final String QUERY_TOKEN = "access_token";

  private final TokenService tokens;
  private final Set<String> queryTokenPaths;

  Authenticator(TokenService tokens, Set<String> queryTokenPaths) {
    this.tokens = tokens;
    this.queryTokenPaths = queryTokenPaths;
  }

  static Principal principal(RoutingContext rc) {
    return rc.get(PRINCIPAL_KEY);
  }

  @Override
  public void handle(RoutingContext rc) {
    String header = rc.request().getHeader("Authorization");
    String token = header != null && header.length() > BEARER.length()
        && header.regionMatches(true, 0, BEARER, 0, BEARER.length()) ? header.substring(BEARER.length()).trim() : null;
    if (token == null && queryTokenPaths.contains(withoutTrailingSlash(rc.request().path()))) {
      token = rc.queryParams().get(QUERY_TOKEN);
    }
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

  private static String withoutTrailingSlash(String path) {
    return path != null && path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }
}
