package io.syncgateway.http;

import io.syncgateway.entity.EntityType;
import io.syncgateway.live.ChangeNotice;
import io.syncgateway.metrics.SyncMetrics;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.EnumSet;
import java.util.Set;

/**
 * One open live-update stream (PROTOCOL §9), confined to its verticle's event loop. At most one
 * {@code event: changes} waits to be written: a change that arrives while the connection's write
 * queue is full is merged into it, so a slow reader costs a set of types, not a growing buffer.
 */
final class EventStream {
  private final HttpServerResponse response;
  private final String orgId;
  private final String deviceId;
  private final Set<EntityType> types;
  private final SyncMetrics metrics;
  private final Set<EntityType> pending = EnumSet.noneOf(EntityType.class);
  /** Commit time of the oldest pending change (the lag is measured from it) and of the newest. */
  private long oldestPendingAt;
  private long newestPendingAt;
  private boolean ended;

  EventStream(HttpServerResponse response, String orgId, String deviceId, Set<EntityType> types,
      SyncMetrics metrics) {
    this.response = response;
    this.orgId = orgId;
    this.deviceId = deviceId;
    this.types = types;
    this.metrics = metrics;
  }

  /** A commit somewhere: announced if it is of this organization, by another device, of a wanted type. */
  void announce(ChangeNotice notice) {
    if (!orgId.equals(notice.org()) || (deviceId != null && deviceId.equals(notice.device()))) {
      return;
    }
    Set<EntityType> wanted = EnumSet.noneOf(EntityType.class);
    wanted.addAll(notice.types());
    wanted.retainAll(types);
    if (!wanted.isEmpty()) {
      add(wanted, notice.at());
    }
  }

  /** Anything may have changed (the listener was away): every wanted type is announced. */
  void announceAll() {
    add(types, System.currentTimeMillis());
  }

  private void add(Set<EntityType> changed, long at) {
    if (pending.isEmpty()) {
      oldestPendingAt = at;
    } else {
      metrics.liveEventMerged();
    }
    newestPendingAt = Math.max(newestPendingAt, at);
    pending.addAll(changed);
    flush();
  }

  private void flush() {
    if (ended || pending.isEmpty()) {
      return;
    }
    if (response.writeQueueFull()) {
      response.drainHandler(drained -> flush());
      return;
    }
    JsonArray names = new JsonArray();
    pending.forEach(type -> names.add(type.singular()));
    response.write("event: changes\ndata: " + new JsonObject().put("types", names).put("timestamp", newestPendingAt)
        .encode() + "\n\n");
    metrics.liveEventSent(System.currentTimeMillis() - oldestPendingAt);
    pending.clear();
  }

  /** A comment line keeps proxies from closing an idle stream; pointless while the queue is full. */
  void ping() {
    if (!ended && !response.writeQueueFull()) {
      response.write(": ping\n\n");
    }
  }

  /** The token expired: the client must come back with a fresh one. */
  void reauthenticate() {
    if (!ended) {
      response.write("event: reauthenticate\ndata: {}\n\n");
      end();
    }
  }

  void end() {
    if (!ended) {
      ended = true;
      response.end();
    }
  }

  /** The connection closed or the response ended: nothing more is written. */
  void ended() {
    ended = true;
  }
}
