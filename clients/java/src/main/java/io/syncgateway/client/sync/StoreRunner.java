package io.syncgateway.client.sync;

import io.syncgateway.client.SyncEvent;
import io.syncgateway.client.store.LocalStore;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Runs store transactions on worker threads, one at a time in submission order (an ordered
 * {@code executeBlocking} on one context), so blocking stores never touch the event loop. Events a
 * transaction produced are published after it committed.
 */
public final class StoreRunner {
  private final Context context;
  private final LocalStore store;
  private final Consumer<SyncEvent> publisher;

  public StoreRunner(Context context, LocalStore store, Consumer<SyncEvent> publisher) {
    this.context = context;
    this.store = store;
    this.publisher = publisher;
  }

  public <T> Future<T> tx(Function<List<SyncEvent>, T> work) {
    List<SyncEvent> events = new ArrayList<>();
    return context.<T>executeBlocking(() -> {
      events.clear();
      return store.transaction(() -> work.apply(events));
    }).onSuccess(ignored -> events.forEach(publisher));
  }
}
