package io.syncgateway.client.sync;

import java.util.Set;

/**
 * A request to the gateway failed. {@code status} is 0 for network errors and when the client is
 * offline, its circuit breaker is open or it has no token; {@code code} is the problem+json
 * contract code if any.
 */
public final class GatewayError extends RuntimeException {
  /** Codes of requests that never left the client. */
  public static final Set<String> NOT_SENT = Set.of(GatewayApi.OFFLINE, GatewayApi.CIRCUIT_OPEN, GatewayApi.NO_TOKEN);

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
