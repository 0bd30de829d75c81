package io.syncgateway.bench;

import io.syncgateway.batch.BatchPreparer;
import io.syncgateway.batch.PreparedBatch;
import io.syncgateway.config.Setting;
import io.syncgateway.auth.Principal;
import io.syncgateway.bus.ErrorCode;
import io.syncgateway.bus.GatewayException;
import io.syncgateway.bus.PullRequest;
import io.syncgateway.bus.PushResult;
import io.syncgateway.conflict.PushDecisions;
import io.syncgateway.entity.EntityType;
import io.syncgateway.metrics.SyncMetrics;
import io.syncgateway.persistence.ActivityLog;
import io.syncgateway.persistence.CommitTransaction;
import io.syncgateway.persistence.DeviceBindings;
import io.syncgateway.persistence.CursorSigner;
import io.syncgateway.persistence.PullQuery;
import io.syncgateway.persistence.StoredStateReader;
import io.syncgateway.persistence.db.PgUrl;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.util.EnumSet;

/**
 * The database driven directly: the persistence layer's own reads, commit and pull query (same
 * statements, same transactions, same pool size), with items decided in-process.
 * No HTTP, no event bus, no request JSON: bodies are validated before the clock starts.
 */
final class DirectTarget implements SyncTarget<PreparedBatch>, AutoCloseable {
  private final Pool pool;
  private final BatchPreparer preparer = new BatchPreparer((Integer) Setting.MAX_BATCH_ITEMS.defaultValue());
  private final StoredStateReader reader;
  private final ActivityLog activity;
  private final PullQuery.Settings pullSettings;

  DirectTarget(Vertx vertx, PgUrl url, int poolSize) {
    pool = PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(poolSize).setMaxWaitQueueSize(-1))
        .connectingTo(url.connectOptions())
        .using(vertx)
        .build();
    DeviceBindings bindings = new DeviceBindings(pool, 100_000);
    activity = new ActivityLog(vertx, pool, 50_000, ActivityLog.DEFAULT_FLUSH_INTERVAL_MS, dropped -> { });
    activity.start();
    reader = new StoredStateReader(pool, bindings);
    pullSettings = new PullQuery.Settings(vertx, pool, CursorSigner.load(pool).await(), bindings, activity,
        SyncMetrics.of("bench-direct"),
        (Long) Setting.RETENTION_MS.defaultValue(), (Long) Setting.CLOCK_SKEW_MS.defaultValue(),
        (Long) Setting.PULL_HOLDBACK_WAIT_MS.defaultValue(),
        ((Integer) Setting.PULL_PAGE_BYTES.defaultValue()).longValue());
  }

  @Override
  public String name() {
    return "direct";
  }

  @Override
  public PreparedBatch encode(SimDevice device, JsonObject body) {
    return preparer.prepare(device.principal(), null, body);
  }

  @Override
  public Future<Outcome> push(SimDevice device, PreparedBatch batch) {
    return decideAndCommit(device.principal(), batch).map(result -> Outcome.ofPush(result.response()));
  }

  /** What the conflict verticle does, in-process: read, decide, commit; decide again after losing a race. */
  private Future<PushResult> decideAndCommit(Principal principal, PreparedBatch batch) {
    return reader.read(principal, batch)
        .compose(state -> state.isReplay()
            ? Future.succeededFuture(new PushResult(batch.deviceId(), state.recordedResponse(), 0, 0, true))
            : new CommitTransaction(pool, PushDecisions.decide(principal, batch, state)).run())
        .recover(error -> error instanceof GatewayException gateway && gateway.code() == ErrorCode.STALE
            ? decideAndCommit(principal, batch) : Future.failedFuture(error));
  }


  @Override
  public Future<Page> pull(SimDevice device, int limit, String cursor) {
    PullRequest request = new PullRequest(device.principal(), device.deviceId(), cursor, 0, null, limit,
        EnumSet.allOf(EntityType.class));
    return new PullQuery(pullSettings, request).run().map(Page::of);
  }

  Pool pool() {
    return pool;
  }

  @Override
  public void close() {
    activity.stop().transform(stopped -> pool.close()).await();
  }
}
