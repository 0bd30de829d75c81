package io.syncgateway.client.auth;

import io.syncgateway.client.time.Scheduler;
import io.vertx.core.Future;

/**
 * The client's current token, shared by its requests and its live-updates stream. It renews the
 * token through the {@link TokenProvider} when it is about to expire (within the margin) and when
 * the gateway refused it; concurrent renewals share one call to the provider.
 */
public final class Credentials {
  private final TokenProvider provider;
  private final Scheduler scheduler;
  private final long refreshMarginMs;
  private AccessToken current;
  private Future<AccessToken> renewing;

  public Credentials(TokenProvider provider, Scheduler scheduler, long refreshMarginMs) {
    this.provider = provider;
    this.scheduler = scheduler;
    this.refreshMarginMs = refreshMarginMs;
  }

  /** The token to send now: the current one, or a new one if it is missing or about to expire. */
  public synchronized Future<String> token() {
    if (current != null && !current.expiresWithin(refreshMarginMs, scheduler.now())) {
      return Future.succeededFuture(current.value());
    }
    return renew();
  }

  /**
   * A new token after the gateway refused {@code rejected}; when another request already renewed it
   * meanwhile, that newer token (the provider is not asked twice for one expiry).
   */
  public synchronized Future<String> renewAfterRejection(String rejected) {
    if (current != null && !current.value().equals(rejected)
        && !current.expiresWithin(refreshMarginMs, scheduler.now())) {
      return Future.succeededFuture(current.value());
    }
    return renew();
  }

  private Future<String> renew() {
    if (renewing == null) {
      Future<AccessToken> asked;
      try {
        asked = provider.newToken();
      } catch (RuntimeException e) {
        asked = Future.failedFuture(e);
      }
      Future<AccessToken> pending = asked.andThen(done -> renewed(done.succeeded() ? done.result() : null));
      // A provider that answers at once has already been through renewed(): nothing is in flight.
      renewing = pending.isComplete() ? null : pending;
      return pending.map(AccessToken::value);
    }
    return renewing.map(AccessToken::value);
  }

  private synchronized void renewed(AccessToken token) {
    renewing = null;
    if (token != null) {
      current = token;
    }
  }
}
