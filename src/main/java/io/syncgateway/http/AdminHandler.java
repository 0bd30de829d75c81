package io.syncgateway.http;

import io.syncgateway.auth.Principal;
import io.syncgateway.batch.BatchPreparer;
import io.syncgateway.bus.Addresses;
import io.syncgateway.bus.DeviceListQuery;
import io.syncgateway.bus.ErrorCode;
import io.syncgateway.bus.GatewayException;
import io.syncgateway.bus.OutcomeStatsQuery;
import io.syncgateway.bus.ResyncOrder;
import io.syncgateway.bus.SyncLogQuery;
import io.syncgateway.entity.Ids;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;

/**
 * The admin API (docs/operations.md, "Admin API"): admins only, and always of the token's
 * organization. The role is checked before anything else, so a non-admin learns nothing from it,
 * not even whether its parameters were valid. Persistence does the work ({@code sync.admin.*}).
 */
final class AdminHandler {
  static final int DEFAULT_LIMIT = 100;
  static final int MAX_LIMIT = 1000;
  static final long DEFAULT_WINDOW_MS = 24 * 60 * 60 * 1000L;
  private static final int MAX_USER_ID_LENGTH = 256;

  private final EventBus eventBus;
  private final DeliveryOptions busOptions;
  private final long retentionMs;

  /** @param retentionMs the longest stats window: sync-log rows older than that are purged */
  AdminHandler(EventBus eventBus, DeliveryOptions busOptions, long retentionMs) {
    this.eventBus = eventBus;
    this.busOptions = busOptions;
    this.retentionMs = retentionMs;
  }

  /** GET /api/admin/devices?limit= */
  void devices(RoutingContext rc) {
    Principal admin = admin(rc);
    StrictQuery query = StrictQuery.of(rc, Set.of("limit"));
    ask(rc, Addresses.ADMIN_DEVICES, new DeviceListQuery(admin, limit(query)));
  }

  /** POST /api/admin/devices/{id}/resync */
  void forceResync(RoutingContext rc) {
    Principal admin = admin(rc);
    StrictQuery.of(rc, Set.of());
    String deviceId = rc.pathParam("id");
    if (deviceId == null || !Ids.isValid(deviceId)) {
      throw new GatewayException(ErrorCode.NOT_FOUND, "No such device in this organization");
    }
    ask(rc, Addresses.ADMIN_RESYNC, new ResyncOrder(admin, deviceId));
  }

  /** GET /api/admin/sync-log?deviceId=&userId=&kind=push|pull&limit= */
  void syncLog(RoutingContext rc) {
    Principal admin = admin(rc);
    StrictQuery query = StrictQuery.of(rc, Set.of("deviceId", "userId", "kind", "limit"));
    String deviceId = BatchPreparer.optionalId(query.value("deviceId"), "deviceId");
    String userId = query.value("userId");
    if (userId != null && userId.length() > MAX_USER_ID_LENGTH) {
      throw GatewayException.invalid("userId must be at most " + MAX_USER_ID_LENGTH + " characters");
    }
    String kind = query.value("kind");
    if (kind != null && !kind.equals("push") && !kind.equals("pull")) {
      throw GatewayException.invalid("kind must be push or pull");
    }
    ask(rc, Addresses.ADMIN_LOG, new SyncLogQuery(admin, deviceId, userId, kind, limit(query)));
  }

  /** GET /api/admin/stats?windowMs= */
  void stats(RoutingContext rc) {
    Principal admin = admin(rc);
    StrictQuery query = StrictQuery.of(rc, Set.of("windowMs"));
    String value = query.value("windowMs");
    long windowMs = value == null ? Math.min(DEFAULT_WINDOW_MS, retentionMs) : PullHandler.nonNegative(value, "windowMs");
    if (windowMs < 1 || windowMs > retentionMs) {
      throw GatewayException.invalid("windowMs must be an integer from 1 to the retention period, " + retentionMs);
    }
    ask(rc, Addresses.ADMIN_STATS, new OutcomeStatsQuery(admin, windowMs));
  }

  private static Principal admin(RoutingContext rc) {
    Principal principal = Authenticator.principal(rc);
    if (!principal.isAdmin()) {
      throw new GatewayException(ErrorCode.FORBIDDEN, "The admin API needs the admin role");
    }
    return principal;
  }

  private static int limit(StrictQuery query) {
    String value = query.value("limit");
    if (value == null) {
      return DEFAULT_LIMIT;
    }
    long limit = PullHandler.nonNegative(value, "limit");
    if (limit < 1 || limit > MAX_LIMIT) {
      throw GatewayException.invalid("limit must be an integer from 1 to " + MAX_LIMIT);
    }
    return (int) limit;
  }

  private void ask(RoutingContext rc, String address, Object request) {
    eventBus.<JsonObject>request(address, request, busOptions)
        .compose(reply -> rc.json(reply.body()))
        .onFailure(rc::fail);
  }
}
