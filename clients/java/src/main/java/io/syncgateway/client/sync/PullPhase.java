package io.syncgateway.client.sync;

import io.syncgateway.checksum.Checksums;
import io.syncgateway.client.SyncEvent;
import io.syncgateway.client.store.EntityStatus;
import io.syncgateway.client.store.LocalStore;
import io.syncgateway.entity.EntityType;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Pulls by cursor until {@code hasMore} is false, applying each page and its cursor in one local
 * transaction. A 410 means the cursor is past the server's retention horizon: the client drops
 * what it holds in sync, keeps its unsynced changes, and pulls everything again. A stored cursor the
 * server no longer accepts (400 invalid_cursor: issued before an upgrade, or its signing key was
 * replaced) is handled the same way, since following it is impossible.
 */
final class PullPhase {
  static final String CURSOR = "cursor";
  static final String RETENTION_MS = "retentionMs";
  static final String LAST_PULL_AT = "lastPullAt";
  private static final int MAX_PAGES_PER_CYCLE = 100_000;

  private final SyncParts parts;

  PullPhase(SyncParts parts) {
    this.parts = parts;
  }

  Future<Void> run(CycleCounters counters) {
    return parts.runner().tx(events -> parts.store().meta(CURSOR).orElse("0"))
        .compose(cursor -> pages(cursor, parts.device().deviceId(), counters, 0));
  }

  private Future<Void> pages(String since, String deviceId, CycleCounters counters, int page) {
    if (page >= MAX_PAGES_PER_CYCLE) {
      return Future.failedFuture(new IllegalStateException("pull did not finish"));
    }
    return parts.api().pull(since, deviceId, parts.options().pullLimit()).transform(done -> {
      if (done.failed()) {
        if (done.cause() instanceof GatewayError error && mustStartOver(error, since)) {
          return fullResync(counters);
        }
        return Future.failedFuture(done.cause());
      }
      counters.traffic(done.result());
      JsonObject body = done.result().body();
      return parts.runner().tx(events -> applyPage(body, counters, events)).compose(hasMore -> hasMore
          ? pages(body.getString("cursor"), deviceId, counters, page + 1)
          : Future.succeededFuture());
    });
  }

  private static boolean mustStartOver(GatewayError error, String since) {
    return error.status() == 410 || (error.status() == 400 && "invalid_cursor".equals(error.code()) && !"0".equals(since));
  }

  /** Drops synced copies (unsynced changes and conflicts stay) and pulls everything, own writes included. */
  private Future<Void> fullResync(CycleCounters counters) {
    return parts.runner().tx(events -> {
      for (EntityType type : EntityType.values()) {
        parts.store().entities(type).stream().filter(e -> e.status() == EntityStatus.SYNCED)
            .forEach(e -> parts.store().removeEntity(type, e.id()));
      }
      parts.store().removeMeta(CURSOR);
      events.add(SyncEvent.cycle(SyncEvent.Type.FULL_RESYNC, "cursor expired; pulling everything"));
      return null;
    }).compose(v -> pages("0", null, counters, 0));
  }

  private boolean applyPage(JsonObject body, CycleCounters counters, List<SyncEvent> events) {
    long now = parts.scheduler().now();
    Map<EntityType, Set<String>> changed = new EnumMap<>(EntityType.class);
    for (EntityType type : EntityType.values()) {
      JsonArray entities = body.getJsonArray(type.plural(), new JsonArray());
      for (int i = 0; i < entities.size(); i++) {
        JsonObject entity = entities.getJsonObject(i);
        String declared = entity.getString("checksum");
        if (declared != null && !declared.equals(Checksums.of(entity))) {
          throw new IllegalStateException("checksum mismatch on pulled " + type.singular() + " " + entity.getString("id"));
        }
        apply(RemoteChanges.RemoteState.ofServerEntity(type, entity), now, events, changed);
        counters.pulled++;
      }
    }
    JsonArray tombstones = body.getJsonArray("tombstones", new JsonArray());
    for (int i = 0; i < tombstones.size(); i++) {
      apply(RemoteChanges.RemoteState.ofTombstone(tombstones.getJsonObject(i)), now, events, changed);
      counters.pulled++;
    }
    counters.conflictsAdded(events);
    counters.changed(changed);
    parts.store().putMeta(CURSOR, body.getString("cursor"));
    JsonObject retention = body.getJsonObject("retention");
    if (retention != null && retention.getLong("retentionMs") != null) {
      parts.store().putMeta(RETENTION_MS, retention.getLong("retentionMs").toString());
    }
    parts.store().putMeta(LAST_PULL_AT, Long.toString(body.getLong("timestamp", now)));
    return body.getBoolean("hasMore", false);
  }

  private void apply(RemoteChanges.RemoteState state, long now, List<SyncEvent> events,
      Map<EntityType, Set<String>> changed) {
    if (parts.remote().apply(state, now, events)) {
      changed.computeIfAbsent(state.type(), t -> new LinkedHashSet<>()).add(state.id());
    }
  }

  /** When the cursor stops being valid if the device never pulls again, or -1 when unknown. */
  static long retentionDeadline(LocalStore store) {
    long retention = store.meta(RETENTION_MS).map(Long::parseLong).orElse(-1L);
    long lastPull = store.meta(LAST_PULL_AT).map(Long::parseLong).orElse(-1L);
    return retention < 0 || lastPull < 0 ? -1 : lastPull + retention;
  }
}
