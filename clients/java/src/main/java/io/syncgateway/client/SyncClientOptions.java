package io.syncgateway.client;

import io.syncgateway.client.auth.TokenProvider;

/**
 * Settings of a sync client; the defaults are the design's. Each {@code withX} returns a copy.
 *
 * @param baseUrl the gateway, e.g. {@code http://localhost:8080}
 * @param tokens where bearer tokens come from ({@link TokenProvider#fixed} for one token)
 * @param batchSize most items per push (design: 100)
 * @param pullLimit page size of pulls
 * @param maxRetries retries of an item before it moves to the failed queue
 * @param backoffBaseMs first retry delay unit: an item waits base × 2^retryCount
 * @param backoffCapMs longest retry delay
 * @param requestAttempts HTTP attempts per request for network errors and 5xx
 * @param periodicMs sync interval while online
 * @param debounceMs quiet time after a local change before syncing
 * @param breakerThreshold consecutive request failures that open the client circuit breaker
 * @param breakerResetMs how long the breaker stays open before a trial request
 * @param retentionWarningFraction warn when less than this fraction of the retention period is left
 * @param keepAlive reuse HTTP connections
 * @param liveUpdates subscribe to the gateway's live updates (PROTOCOL §9) while started and online
 * @param liveBackoffBaseMs first delay before resubscribing after the stream ended or failed
 * @param liveBackoffCapMs longest delay between resubscription attempts
 * @param tokenRefreshMarginMs a token is renewed this long before its expiry
 */
public record SyncClientOptions(String baseUrl, TokenProvider tokens, int batchSize, int pullLimit, int maxRetries,
    long backoffBaseMs, long backoffCapMs, int requestAttempts, long periodicMs, long debounceMs,
    int breakerThreshold, long breakerResetMs, double retentionWarningFraction, boolean keepAlive,
    boolean liveUpdates, long liveBackoffBaseMs, long liveBackoffCapMs, long tokenRefreshMarginMs) {

  /** One fixed token, as before token providers: it is never renewed. */
  public static SyncClientOptions of(String baseUrl, String token) {
    return of(baseUrl, TokenProvider.fixed(token));
  }

  public static SyncClientOptions of(String baseUrl, TokenProvider tokens) {
    return new SyncClientOptions(baseUrl, tokens, 100, 100, 10, 1000, 300_000, 3, 30_000, 2000, 5, 30_000, 0.2, true,
        true, 1000, 60_000, 30_000);
  }

  public SyncClientOptions withBackoff(long baseMs, long capMs, int retries) {
    return new SyncClientOptions(baseUrl, tokens, batchSize, pullLimit, retries, baseMs, capMs, requestAttempts,
        periodicMs, debounceMs, breakerThreshold, breakerResetMs, retentionWarningFraction, keepAlive,
        liveUpdates, liveBackoffBaseMs, liveBackoffCapMs, tokenRefreshMarginMs);
  }

  public SyncClientOptions withBatching(int batch, int pull) {
    return new SyncClientOptions(baseUrl, tokens, batch, pull, maxRetries, backoffBaseMs, backoffCapMs,
        requestAttempts, periodicMs, debounceMs, breakerThreshold, breakerResetMs, retentionWarningFraction,
        keepAlive, liveUpdates, liveBackoffBaseMs, liveBackoffCapMs, tokenRefreshMarginMs);
  }

  public SyncClientOptions withTriggers(long periodic, long debounce) {
    return new SyncClientOptions(baseUrl, tokens, batchSize, pullLimit, maxRetries, backoffBaseMs, backoffCapMs,
        requestAttempts, periodic, debounce, breakerThreshold, breakerResetMs, retentionWarningFraction, keepAlive,
        liveUpdates, liveBackoffBaseMs, liveBackoffCapMs, tokenRefreshMarginMs);
  }

  public SyncClientOptions withBreaker(int threshold, long resetMs) {
    return new SyncClientOptions(baseUrl, tokens, batchSize, pullLimit, maxRetries, backoffBaseMs, backoffCapMs,
        requestAttempts, periodicMs, debounceMs, threshold, resetMs, retentionWarningFraction, keepAlive,
        liveUpdates, liveBackoffBaseMs, liveBackoffCapMs, tokenRefreshMarginMs);
  }

  public SyncClientOptions withKeepAlive(boolean keep) {
    return new SyncClientOptions(baseUrl, tokens, batchSize, pullLimit, maxRetries, backoffBaseMs, backoffCapMs,
        requestAttempts, periodicMs, debounceMs, breakerThreshold, breakerResetMs, retentionWarningFraction, keep,
        liveUpdates, liveBackoffBaseMs, liveBackoffCapMs, tokenRefreshMarginMs);
  }

  public SyncClientOptions withLiveUpdates(boolean enabled) {
    return new SyncClientOptions(baseUrl, tokens, batchSize, pullLimit, maxRetries, backoffBaseMs, backoffCapMs,
        requestAttempts, periodicMs, debounceMs, breakerThreshold, breakerResetMs, retentionWarningFraction, keepAlive,
        enabled, liveBackoffBaseMs, liveBackoffCapMs, tokenRefreshMarginMs);
  }

  public SyncClientOptions withLiveBackoff(long baseMs, long capMs) {
    return new SyncClientOptions(baseUrl, tokens, batchSize, pullLimit, maxRetries, backoffBaseMs, backoffCapMs,
        requestAttempts, periodicMs, debounceMs, breakerThreshold, breakerResetMs, retentionWarningFraction, keepAlive,
        liveUpdates, baseMs, capMs, tokenRefreshMarginMs);
  }

  public SyncClientOptions withTokenRefreshMargin(long marginMs) {
    return new SyncClientOptions(baseUrl, tokens, batchSize, pullLimit, maxRetries, backoffBaseMs, backoffCapMs,
        requestAttempts, periodicMs, debounceMs, breakerThreshold, breakerResetMs, retentionWarningFraction, keepAlive,
        liveUpdates, liveBackoffBaseMs, liveBackoffCapMs, marginMs);
  }
}
