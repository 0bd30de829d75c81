package io.syncgateway.bus;

import io.vertx.core.Future;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How failures travel over the event bus: {@code message.fail(httpStatus, "code: detail")}. Any
 * verticle, in any language, can produce and read that shape.
 */
public final class BusErrors {
  private static final Logger LOG = LoggerFactory.getLogger(BusErrors.class);
  private static final String SEPARATOR = ": ";

  private BusErrors() {}

  /** Replies a failure for {@code error}; unexpected errors are logged and become {@code internal}. */
  public static void reply(Message<?> message, Throwable error) {
    GatewayException failure = asGatewayException(error);
    if (failure.code() == ErrorCode.INTERNAL && !(error instanceof GatewayException)) {
      LOG.error("Unexpected failure handling {}", message.address(), error);
    }
    message.fail(failure.code().status(), failure.code().wire() + SEPARATOR + failure.detail());
  }

  /**
   * A push whose commit may or may not have happened (the connection was lost, or an answer did not
   * come in time, after the commit could have been sent). Retrying the same batch is always safe.
   */
  public static GatewayException pushOutcomeUnknown() {
    return new GatewayException(ErrorCode.UNAVAILABLE, "The outcome of this push is unknown: the database "
        + "connection was lost or did not answer after the commit could have been sent. Retrying the same batch "
        + "(same batchId) is safe");
  }

  /**
   * For a push: a later stage that did not answer in time may still commit, so its timeout becomes
   * {@link #pushOutcomeUnknown()}; any other failure stays as it is.
   */
  public static <T> Future<T> timeoutLeavesPushOutcomeUnknown(Throwable error) {
    return Future.failedFuture(error instanceof ReplyException reply && reply.failureType() == ReplyFailure.TIMEOUT
        ? pushOutcomeUnknown() : error);
  }

  /** Reads any failure (a bus reply, a timeout, a local exception) as a gateway failure. */
  public static GatewayException asGatewayException(Throwable error) {
    if (error instanceof GatewayException gatewayException) {
      return gatewayException;
    }
    if (error instanceof ReplyException reply) {
      switch (reply.failureType()) {
        case TIMEOUT:
          return new GatewayException(ErrorCode.UNAVAILABLE, "An internal service did not answer in time");
        case NO_HANDLERS:
          return new GatewayException(ErrorCode.UNAVAILABLE, "An internal service is not running");
        default:
          return parse(reply.getMessage());
      }
    }
    return new GatewayException(ErrorCode.INTERNAL, "Unexpected server error");
  }

  private static GatewayException parse(String text) {
    if (text != null) {
      int at = text.indexOf(SEPARATOR);
      ErrorCode code = at > 0 ? ErrorCode.fromWire(text.substring(0, at)) : null;
      if (code != null) {
        return new GatewayException(code, text.substring(at + SEPARATOR.length()));
      }
    }
    return new GatewayException(ErrorCode.INTERNAL, "Unexpected server error");
  }
}
