package io.syncgateway.client.live;

import io.vertx.core.Future;
import java.util.function.Consumer;

/** Opens subscriptions to the gateway's live updates (PROTOCOL §9). */
public interface EventStream {

  /**
   * Subscribes. The future fails with {@link StreamRefused} when the gateway answers without a
   * stream, or with the network error; once open, {@code events} gets each event and {@code ended}
   * is called once when the stream ends for any reason other than {@link Subscription#close()}.
   */
  Future<Subscription> open(Consumer<ServerSentEvent> events, Consumer<String> ended);

  /**
   * Renews the token the next subscription will use: the gateway announced the current one expires
   * ({@code event: reauthenticate}) or refused it (401). Streams without tokens have nothing to do.
   */
  default Future<Void> renewCredentials() {
    return Future.succeededFuture();
  }

  /** An open stream. */
  interface Subscription {
    void close();
  }
}
