package io.syncgateway.client;

import io.syncgateway.clock.VectorClock;
import io.syncgateway.entity.EntityType;

/**
 * Something the app may want to know. Entity fields are null for cycle events.
 *
 * @param detail a human-readable reason or summary
 */
public record SyncEvent(Type type, EntityType entityType, String entityId, VectorClock clock, String detail) {

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
    LIVE_UNAVAILABLE
  }

  public static SyncEvent cycle(Type type, String detail) {
    return new SyncEvent(type, null, null, null, detail);
  }

  public static SyncEvent entity(Type type, EntityType entityType, String id, VectorClock clock, String detail) {
    return new SyncEvent(type, entityType, id, clock, detail);
  }
}
