package io.syncgateway.bench;

import io.syncgateway.batch.BatchPreparer;
import io.syncgateway.batch.PreparedBatch;
import io.syncgateway.config.Setting;
import io.syncgateway.conflict.BatchDecider;
import io.syncgateway.entity.EntityType;
import io.syncgateway.persistence.ItemDecider;
import io.syncgateway.persistence.PullQuery;
import io.syncgateway.persistence.PushTransaction;
import io.syncgateway.persistence.db.PgUrl;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.util.Arrays;

/**
 * The database driven directly, as the physical limit: the persistence layer's own push transaction
 * and pull query (same statements, same transactions, same pool size), with items decided in-process.
 * No HTTP, no event bus, no request JSON: bodies are validated before the clock starts.
 */
final class DirectTarget implements SyncTarget<PreparedBatch>, AutoCloseable {
  private static final ItemDecider IN_PROCESS = (principal, deviceId, now, items, stored, children) ->
      Future.succeededFuture(BatchDecider.decide(principal, deviceId, now, items, stored, children));
  private static final JsonArray ALL_TYPES = new JsonArray(Arrays.stream(EntityType.values())
      .map(EntityType::singular).toList());

  private final Pool pool;
  private final BatchPreparer preparer = new BatchPreparer((Integer) Setting.MAX_BATCH_ITEMS.defaultValue());

  DirectTarget(Vertx vertx, PgUrl url, int poolSize) {
    pool = PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(poolSize).setMaxWaitQueueSize(-1))
        .connectingTo(url.connectOptions())
        .using(vertx)
        .build();
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
    return PushTransaction.apply(pool, IN_PROCESS, device.principal(), batch)
        .map(outcome -> Outcome.ofPush(outcome.response()));
  }

  @Override
  public Future<Page> pull(SimDevice device, int limit, String cursor) {
    JsonObject request = new JsonObject()
        .put("deviceId", device.deviceId())
        .put("limit", limit)
        .put("types", ALL_TYPES);
    if (cursor == null) {
      request.put("sinceMillis", 0L);
    } else {
      request.put("cursor", cursor);
    }
    return new PullQuery(pool, device.principal(), request, (Long) Setting.RETENTION_MS.defaultValue(),
        (Long) Setting.CLOCK_SKEW_MS.defaultValue()).run().map(Page::of);
  }

  Pool pool() {
    return pool;
  }

  @Override
  public void close() {
    pool.close().await();
  }
}
