package io.syncgateway.client;

import io.syncgateway.clock.VectorClock;
import io.syncgateway.entity.EntityType;
import io.vertx.core.json.JsonObject;

/**
 * Something the app may want to know. Entity fields are null for cycle events.
 *
 * @param clock the local state's clock for entity events (typed: compare it, or read {@link
 *     VectorClock#asMap()}); null for cycle events
 * @param remoteClock the server state's clock for conflict events, else null
 * @param detail a human-readable reason or summary (clocks in it are JSON)
 */
public record SyncEvent(Type type, EntityType entityType, String entityId, VectorClock clock,
    VectorClock remoteClock, String detail) {

  public enum Type {
    SYNC_STARTED,
    SYNC_SUCCEEDED,
    SYNC_FAILED,
    /** The server applied (or had already applied) a pushed state: {@code clock} is acknowledged. */
    ITEM_ACKNOWLEDGED,
    /** The server already held a state that causally follows the pushed one. */
    ITEM_SUPERSEDED,
    /** An item moved to the failed queue; {@code detail} says why. */
    ITEM_FAILED,
    /** The app discarded a failed change: the entity is back to the server's state (or gone if it has none). */
    ITEM_DISCARDED,
    /** Local and remote changed the entity concurrently: {@code clock} is the local one, {@code remoteClock} the server's. */
    CONFLICT_ADDED,
    CONFLICT_RESOLVED,
    /** Less than the warning fraction of the server's retention period is left before a full resync. */
    RETENTION_NEAR,
    /** The cursor expired (410): the client dropped its synced copy and pulled everything again. */
    FULL_RESYNC,
    /** The live-updates stream is open: remote changes are pulled as the gateway announces them. */
    LIVE_CONNECTED,
    /** The stream ended or could not be opened; {@code detail} says why and when the client retries. */
    LIVE_DISCONNECTED,
    /** The gateway has no live updates (an older version): the client relies on periodic syncs. */
    LIVE_UNAVAILABLE,
    /**
     * No usable token: the token provider failed, or the gateway refused a token just renewed after a
     * 401. The request failed; the next one asks the provider again.
     */
    AUTHENTICATION_FAILED
  }

  public static SyncEvent cycle(Type type, String detail) {
    return new SyncEvent(type, null, null, null, null, detail);
  }

  public static SyncEvent entity(Type type, EntityType entityType, String id, VectorClock clock, String detail) {
    return new SyncEvent(type, entityType, id, clock, null, detail);
  }

  public static SyncEvent conflict(EntityType entityType, String id, VectorClock local, VectorClock remote) {
    return new SyncEvent(Type.CONFLICT_ADDED, entityType, id, local, remote,
        "local " + local.toJson().encode() + " is concurrent with the server's " + remote.toJson().encode());
  }

  /** The event as JSON, clocks as {@code {"deviceId": counter}} objects; absent parts are left out. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("type", type.name());
    if (entityType != null) {
      json.put("entityType", entityType.singular()).put("entityId", entityId);
    }
    if (clock != null) {
      json.put("vectorClock", clock.toJson());
    }
    if (remoteClock != null) {
      json.put("remoteVectorClock", remoteClock.toJson());
    }
    return detail == null ? json : json.put("detail", detail);
  }

  /** The JSON form, so logging an event never prints a clock's Java representation. */
  @Override
  public String toString() {
    return toJson().encode();
  }
}
