package io.syncgateway.clock;

/**
 * A vector clock that breaks the protocol's shape rules. Unchecked because callers turn it into
 * an item-level {@code validation} rejection; the message is meant to be shown to the client.
 */
public class InvalidClockException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  public InvalidClockException(String message) {
    super(message);
  }
}
