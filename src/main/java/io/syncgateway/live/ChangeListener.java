package io.syncgateway.live;

import io.syncgateway.bus.Addresses;
import io.syncgateway.config.GatewayConfig;
import io.syncgateway.config.Setting;
import io.syncgateway.metrics.SyncMetrics;
import io.syncgateway.persistence.db.PgUrl;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.pubsub.PgSubscriber;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process's one listening connection (LISTEN {@value ChangeNotice#CHANNEL}): every notice of a
 * commit, from any gateway process on the database, is published on {@value Addresses#LIVE_CHANGES}
 * for the HTTP verticles' streams. After the database restarts it reconnects with exponential
 * backoff and then pokes every stream once, since a commit may have been missed meanwhile.
 */
public final class ChangeListener implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ChangeListener.class);
  private static final long FIRST_RETRY_MS = 100;
  private static final long MAX_RETRY_MS = 30_000;
  /** A reconnected listener's message: whatever happened while away is announced to every stream. */
  public static final JsonObject RECONNECTED = new JsonObject().put("reconnected", true);

  private final Vertx vertx;
  private final PgSubscriber subscriber;
  private final SyncMetrics metrics;
  private boolean subscribedBefore;

  private ChangeListener(Vertx vertx, PgSubscriber subscriber, SyncMetrics metrics) {
    this.vertx = vertx;
    this.subscriber = subscriber;
    this.metrics = metrics;
  }

  /** Connects and listens; the returned listener keeps retrying in the background if the first connect fails. */
  public static ChangeListener start(Vertx vertx, GatewayConfig config, SyncMetrics metrics) {
    PgSubscriber subscriber = PgSubscriber.subscriber(vertx, PgUrl.parse(config.string(Setting.PG_URL)).connectOptions())
        .reconnectPolicy(ChangeListener::backoffMs);
    ChangeListener listener = new ChangeListener(vertx, subscriber, metrics);
    subscriber.channel(ChangeNotice.CHANNEL)
        .handler(listener::notified)
        .subscribeHandler(subscribed -> listener.subscribed());
    listener.connect(0);
    return listener;
  }

  private void notified(String payload) {
    try {
      vertx.eventBus().publish(Addresses.LIVE_CHANGES, new JsonObject(payload));
    } catch (RuntimeException notJson) {
      LOG.debug("Live updates: ignoring a payload that is not JSON on {}", ChangeNotice.CHANNEL);
    }
  }

  /** 100 ms, doubling up to 30 s, never giving up: streams are worthless without the listener. */
  static long backoffMs(int retries) {
    return Math.min(MAX_RETRY_MS, FIRST_RETRY_MS << Math.min(retries, 20));
  }

  /** The reconnect policy covers lost connections only; a failed first connect is retried here. */
  private void connect(int attempt) {
    subscriber.connect().onFailure(error -> {
      if (subscriber.closed()) {
        return;
      }
      LOG.warn("Live updates: cannot LISTEN on {} yet ({}); retrying", ChangeNotice.CHANNEL, error.getMessage());
      vertx.setTimer(backoffMs(attempt), fired -> connect(attempt + 1));
    });
  }

  private synchronized void subscribed() {
    if (subscribedBefore) {
      LOG.info("Live updates: listening again on {}; poking every stream", ChangeNotice.CHANNEL);
      metrics.liveListenerReconnected();
      vertx.eventBus().publish(Addresses.LIVE_CHANGES, RECONNECTED);
    }
    subscribedBefore = true;
  }

  @Override
  public void close() {
    Future<Void> closed = subscriber.close();
    closed.onFailure(error -> LOG.debug("Live updates: closing the listener failed", error));
  }
}
