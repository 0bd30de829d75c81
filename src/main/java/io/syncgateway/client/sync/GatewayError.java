package io.syncgateway.client.sync;

/**
 * A request to the gateway failed. {@code status} is 0 for network errors and when the client is
 * offline or its circuit breaker is open; {@code code} is the problem+json contract code if any.
 */
public final class GatewayError extends RuntimeException {
  private final int status;
  private final String code;

  public GatewayError(int status, String code, String message) {
    super(message);
    this.status = status;
    this.code = code;
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  /** Network errors and 5xx may succeed later; 4xx will not. */
  public boolean transientFailure() {
    return status == 0 || status >= 500;
  }
}
