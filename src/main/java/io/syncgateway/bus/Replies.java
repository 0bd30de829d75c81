package io.syncgateway.bus;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.eventbus.Message;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * The one way every consumer of the gateway answers: a readiness probe is answered at once
 * ({@link Probe}); otherwise the handler runs, and its result is the reply, or its failure (thrown
 * or failed) is mapped by {@link BusErrors}.
 */
public final class Replies {
  private Replies() {}

  /** A consumer that replies the handler's result as the message body. */
  public static <B, T> Handler<Message<B>> replying(Function<B, Future<T>> handler) {
    return replying(handler, Message::reply);
  }

  /** A consumer that replies the handler's result through {@code reply} (e.g. with headers). */
  public static <B, T> Handler<Message<B>> replying(Function<B, Future<T>> handler,
      BiConsumer<Message<B>, T> reply) {
    return message -> {
      if (Probe.answered(message)) {
        return;
      }
      Future<T> result;
      try {
        result = handler.apply(message.body());
      } catch (RuntimeException e) {
        result = Future.failedFuture(e);
      }
      result.onSuccess(answer -> reply.accept(message, answer)).onFailure(error -> BusErrors.reply(message, error));
    };
  }
}
