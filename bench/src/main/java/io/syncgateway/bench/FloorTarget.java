package io.syncgateway.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Tuple;

/**
 * The floor: the minimal correct transaction, written by hand, on tables of its own ({@code floor_tasks},
 * created at start and dropped at the end). A push batch is {@code BEGIN; SELECT} its rows {@code FOR
 * UPDATE} in id order; one multi-row upsert of every item; {@code COMMIT}. A pull page is one keyset read
 * of full rows by position, encoded as JSON and gzipped ({@link FloorPage}). Nothing else: no device
 * registry, no feed lock, no conflict decision (every item is written), no idempotency record, no sync
 * log. Independent of the gateway's persistence code, which it is the reference for.
 */
final class FloorTarget implements SyncTarget<FloorBatch>, AutoCloseable {
  static final String TABLE = "floor_tasks";
  /** Same columns as {@code tasks}, but {@code pos} from a sequence of its own instead of the feed columns. */
  private static final String CREATE = "DROP TABLE IF EXISTS " + TABLE + ";"
      + "CREATE TABLE " + TABLE + " (org_id TEXT NOT NULL, id TEXT NOT NULL, data JSONB NOT NULL, "
      + "vector_clock JSONB NOT NULL, version BIGINT NOT NULL, created_at BIGINT NOT NULL, created_by TEXT NOT NULL, "
      + "updated_at BIGINT NOT NULL, last_modified_by TEXT NOT NULL, last_modified_device TEXT NOT NULL, "
      + "checksum TEXT NOT NULL, pos BIGSERIAL NOT NULL, PRIMARY KEY (org_id, id));"
      + "CREATE INDEX " + TABLE + "_by_pos ON " + TABLE + " (org_id, pos)";
  private static final String DROP = "DROP TABLE IF EXISTS " + TABLE;
  private static final String LOCK = "SELECT id, vector_clock, version FROM " + TABLE
      + " WHERE org_id = $1 AND id = ANY($2::text[]) ORDER BY id FOR UPDATE";
  /** A conflict takes the proposed row's fresh position (EXCLUDED.pos, the sequence's next value). */
  private static final String UPSERT = "INSERT INTO " + TABLE + " (org_id, id, data, vector_clock, version, "
      + "created_at, created_by, updated_at, last_modified_by, last_modified_device, checksum) "
      + "SELECT $1, item.id, item.data::jsonb, item.clock::jsonb, 1, $6, $7, $6, $7, $8, item.checksum "
      + "FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) AS item(id, data, clock, checksum) "
      + "ON CONFLICT (org_id, id) DO UPDATE SET data = EXCLUDED.data, vector_clock = EXCLUDED.vector_clock, "
      + "version = " + TABLE + ".version + 1, updated_at = EXCLUDED.updated_at, "
      + "last_modified_by = EXCLUDED.last_modified_by, last_modified_device = EXCLUDED.last_modified_device, "
      + "checksum = EXCLUDED.checksum, pos = EXCLUDED.pos";
  private static final String PAGE = "SELECT " + FloorPage.COLUMNS + " FROM " + TABLE
      + " WHERE org_id = $1 AND pos > $2 ORDER BY pos LIMIT $3";

  private final Pool pool;

  private FloorTarget(Pool pool) {
    this.pool = pool;
  }

  /** A pool of {@code poolSize} connections, like the gateway's, and a fresh, empty {@value #TABLE}. */
  static FloorTarget create(Vertx vertx, PgConnectOptions database, int poolSize) {
    Pool pool = PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(poolSize).setMaxWaitQueueSize(-1))
        .connectingTo(database)
        .using(vertx)
        .build();
    pool.query(CREATE).execute().await();
    return new FloorTarget(pool);
  }

  @Override
  public String name() {
    return "floor";
  }

  @Override
  public FloorBatch encode(SimDevice device, JsonObject body) {
    return FloorBatch.of(device, body);
  }

  @Override
  public Future<Outcome> push(SimDevice device, FloorBatch batch) {
    long now = System.currentTimeMillis();
    return pool.withTransaction(connection -> connection.preparedQuery(LOCK)
            .execute(Tuple.of(batch.orgId()).addArrayOfString(batch.ids()))
            .compose(locked -> connection.preparedQuery(UPSERT).execute(Tuple.from(new Object[] {batch.orgId(),
                batch.ids(), batch.data(), batch.clocks(), batch.checksums(), now, batch.userId(),
                batch.deviceId()}))))
        .map(written -> Outcome.of(batch.ids().length));
  }

  @Override
  public Future<Page> pull(SimDevice device, int limit, String cursor) {
    return readPage(device.principal().orgId(), limit, cursor).map(FloorPage::toPage);
  }

  /** The page after {@code cursor} (null: from the beginning), encoded and gzipped. */
  Future<FloorPage> readPage(String orgId, int limit, String cursor) {
    long after = cursor == null ? 0 : Long.parseLong(cursor);
    return pool.preparedQuery(PAGE).execute(Tuple.of(orgId, after, limit + 1))
        .map(rows -> FloorPage.encode(orgId, rows, limit, cursor));
  }

  /** Drops {@value #TABLE} (and its position sequence) and closes the pool. */
  @Override
  public void close() {
    try {
      pool.query(DROP).execute().await();
    } finally {
      pool.close().await();
    }
  }
}
