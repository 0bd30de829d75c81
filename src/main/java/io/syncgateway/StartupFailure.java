package io.syncgateway;

/**
 * A start-up problem the operator can fix, described in one line: what failed and which setting or
 * command to use. No stack trace: {@link Main} prints the message alone.
 */
public final class StartupFailure extends RuntimeException {
  public StartupFailure(String message) {
    super(message, null, false, false);
  }

  public StartupFailure(String message, Throwable cause) {
    super(message, cause, false, false);
  }
}
