package io.syncgateway.bus;

/** A failure that the edge answers with a problem response of the given code. */
public class GatewayException extends RuntimeException {
  private final ErrorCode code;

  public GatewayException(ErrorCode code, String detail) {
    super(detail, null, false, false);
    this.code = code;
  }

  public ErrorCode code() {
    return code;
  }

  public String detail() {
    return getMessage();
  }

  public static GatewayException invalid(String detail) {
    return new GatewayException(ErrorCode.INVALID_REQUEST, detail);
  }
}
