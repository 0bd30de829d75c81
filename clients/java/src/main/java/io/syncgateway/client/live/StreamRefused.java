package io.syncgateway.client.live;

/** The gateway answered the subscription with something other than an event stream. */
public final class StreamRefused extends RuntimeException {
  private final int status;
  private final long retryAfterMs;

  public StreamRefused(int status, long retryAfterMs, String message) {
    super(message);
    this.status = status;
    this.retryAfterMs = retryAfterMs;
  }

  public int status() {
    return status;
  }

  /** The server's {@code Retry-After} in milliseconds, or -1 when it gave none. */
  public long retryAfterMs() {
    return retryAfterMs;
  }

  /** An older gateway, without the endpoint: no point retrying soon. */
  public boolean endpointMissing() {
    return status == 404 || status == 405 || status == 501;
  }
}
