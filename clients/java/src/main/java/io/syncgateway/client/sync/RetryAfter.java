package io.syncgateway.client.sync;

import java.util.OptionalLong;

/** Reads a {@code Retry-After} header given in seconds (the gateway's form). */
public final class RetryAfter {
  private RetryAfter() {}

  /** The delay in milliseconds, or empty when the header is absent, an HTTP date or garbage. */
  public static OptionalLong millis(String header) {
    if (header == null) {
      return OptionalLong.empty();
    }
    try {
      long seconds = Long.parseLong(header.trim());
      return seconds < 0 ? OptionalLong.empty() : OptionalLong.of(seconds * 1000);
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }
}
