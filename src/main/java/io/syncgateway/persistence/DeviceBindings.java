package io.syncgateway.persistence;

import io.syncgateway.bus.ErrorCode;
import io.syncgateway.bus.GatewayException;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Device ids are global and bound forever to the (organization, user) that first used them
 * (PROTOCOL.md §2). Checking the binding is a read after first contact: the device row is created
 * once, and last-seen times are left to {@link ActivityLog}.
 *
 * <p>The database decides who owns a device (several gateway processes may share it); this class
 * only remembers owners it has read. Since a binding never changes, a remembered owner stays true,
 * so it answers every later request for that device, refusals included, without a round trip.
 */
public final class DeviceBindings {

  /**
   * Binds the device to ($2, $3) unless it is bound already, and returns its owner either way, in one
   * round trip. The SELECT branch reads the snapshot taken before the statement, so it misses a row
   * that a concurrent first bind committed while this INSERT waited on it: then no row comes back.
   */
  static final String BIND_OR_READ_OWNER = "WITH inserted AS ("
      + "INSERT INTO devices (device_id, org_id, user_id, first_seen_at, last_seen_at) "
      + "VALUES ($1, $2, $3, $4, $4) ON CONFLICT (device_id) DO NOTHING RETURNING org_id, user_id) "
      + "SELECT org_id, user_id FROM inserted "
      + "UNION ALL SELECT org_id, user_id FROM devices WHERE device_id = $1";

  /** The rare second trip after a lost race: a new statement sees the winner's committed row. */
  static final String READ_OWNER = "SELECT org_id, user_id FROM devices WHERE device_id = $1";

  static final String OWNED_BY_OTHER_USER = "This device id belongs to another user";

  private final SqlClient client;
  private final Map<String, Owner> ownersByDevice;

  /**
   * @param client a pool (autocommit), not a connection inside a transaction: a binding made in a
   *     transaction that later rolls back would be remembered although the database forgot it
   * @param maxCached how many device owners to remember; the least recently used is forgotten first
   */
  public DeviceBindings(SqlClient client, int maxCached) {
    if (maxCached < 1) {
      throw new IllegalArgumentException("maxCached must be at least 1, was " + maxCached);
    }
    this.client = client;
    this.ownersByDevice = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Owner> eldest) {
        return size() > maxCached;
      }
    };
  }

  /**
   * Succeeds when deviceId belongs to (orgId, userId), binding it now if it is new (first and last
   * seen at nowMs); fails with {@link ErrorCode#DEVICE_OWNED_BY_OTHER_USER} otherwise. A device whose
   * owner is remembered is answered without touching the database.
   */
  public Future<Void> bind(String deviceId, String orgId, String userId, long nowMs) {
    Owner asking = new Owner(orgId, userId);
    Owner known = remembered(deviceId);
    if (known != null) {
      return verdict(known, asking);
    }
    return client.preparedQuery(BIND_OR_READ_OWNER).execute(Tuple.of(deviceId, orgId, userId, nowMs))
        .compose(rows -> rows.size() > 0 ? Future.succeededFuture(rows) : readOwner(deviceId))
        .compose(rows -> {
          Owner owner = ownerIn(rows, deviceId);
          remember(deviceId, owner);
          return verdict(owner, asking);
        });
  }

  /** How many owners are remembered (for tests and diagnostics). */
  public int cached() {
    synchronized (ownersByDevice) {
      return ownersByDevice.size();
    }
  }

  private Future<RowSet<Row>> readOwner(String deviceId) {
    return client.preparedQuery(READ_OWNER).execute(Tuple.of(deviceId));
  }

  private static Owner ownerIn(RowSet<Row> rows, String deviceId) {
    if (rows.size() == 0) {
      // Devices are never deleted, so a bound device that cannot be read is a broken invariant.
      throw new IllegalStateException("Device " + deviceId + " was bound but its row cannot be read");
    }
    Row row = rows.iterator().next();
    return new Owner(row.getString("org_id"), row.getString("user_id"));
  }

  private static Future<Void> verdict(Owner owner, Owner asking) {
    return owner.equals(asking)
        ? Future.succeededFuture()
        : Future.failedFuture(new GatewayException(ErrorCode.DEVICE_OWNED_BY_OTHER_USER, OWNED_BY_OTHER_USER));
  }

  // Access-ordered LinkedHashMap: even get() reorders, so every access holds the lock. The critical
  // sections are a hash lookup long, far cheaper than the round trip they save.
  private Owner remembered(String deviceId) {
    synchronized (ownersByDevice) {
      return ownersByDevice.get(deviceId);
    }
  }

  private void remember(String deviceId, Owner owner) {
    synchronized (ownersByDevice) {
      ownersByDevice.put(deviceId, owner);
    }
  }

  private record Owner(String orgId, String userId) {
  }
}
