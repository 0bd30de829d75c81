package io.syncgateway.live;

import io.syncgateway.bus.Addresses;
import io.syncgateway.entity.EntityType;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * What a persistence verticle announces after a commit: the organization's change streams
 * ({@code sync.changes.<org>}, and {@code sync.changes-full.<org>} with entity bodies, read by bridged
 * services) and, on a clustered bus, the live-update
 * notice for every HTTP verticle of the cluster. A single process leaves live updates to the NOTIFY
 * sent in the commit (see {@link ChangeListener}): one mechanism each way, never both.
 */
public final class ChangePublisher {
  private final Vertx vertx;
  private final boolean clustered;
  private final boolean streams;

  /**
   * {@code streams}: publish the change streams at all. Only bridged services read them, so a
   * process that runs no bridge and is on no clustered bus (where another node's bridge could) skips
   * building them: a push then costs no entity JSON beyond its response.
   */
  public ChangePublisher(Vertx vertx, boolean clustered, boolean streams) {
    this.vertx = vertx;
    this.clustered = clustered;
    this.streams = streams;
  }

  public void committed(String org, String device, List<CommittedChange> changes) {
    if (changes.isEmpty()) {
      return;
    }
    long at = System.currentTimeMillis();
    if (streams) {
      publishStreams(org, device, at, changes);
    }
    if (clustered) {
      Set<EntityType> types = EnumSet.noneOf(EntityType.class);
      changes.forEach(change -> types.add(change.type()));
      vertx.eventBus().publish(Addresses.LIVE_CHANGES, new ChangeNotice(org, types, device, at).toJson());
    }
  }

  private void publishStreams(String org, String device, long at, List<CommittedChange> changes) {
    JsonArray items = new JsonArray();
    JsonArray withBodies = new JsonArray();
    for (CommittedChange change : changes) {
      items.add(change.toJson());
      withBodies.add(change.toJsonWithBody(org));
    }
    JsonObject head = new JsonObject().put("org", org).put("device", device).put("at", at);
    vertx.eventBus().publish(Addresses.changesOf(org), head.copy().put("changes", items));
    vertx.eventBus().publish(Addresses.changesWithBodiesOf(org), head.put("changes", withBodies));
  }
}
