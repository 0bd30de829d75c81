package io.syncgateway.bench;

import io.syncgateway.bus.GatewayException;

/** A request answered with an error: {@code kind} is the HTTP status and problem code, or "io". */
final class RequestFailed extends RuntimeException {
  private final String kind;

  RequestFailed(String kind, String message) {
    super(kind + ": " + message, null, false, false);
    this.kind = kind;
  }

  String kind() {
    return kind;
  }

  static String kindOf(Throwable error) {
    if (error instanceof RequestFailed failed) {
      return failed.kind();
    }
    if (error instanceof GatewayException gateway) {
      return gateway.code().status() + " " + gateway.code().wire();
    }
    return "io " + error.getClass().getSimpleName();
  }
}
