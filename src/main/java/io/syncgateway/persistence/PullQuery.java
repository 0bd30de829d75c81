package io.syncgateway.persistence;

import io.syncgateway.auth.Principal;
import io.syncgateway.bus.ErrorCode;
import io.syncgateway.bus.GatewayException;
import io.syncgateway.entity.EntityRow;
import io.syncgateway.entity.EntityType;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * One page of the change feed. Reads the feed position the organization has reached (every
 * position up to it is committed, see V1 migration), then the entity states at positions after the
 * request's start, up to that position, oldest first.
 */
public final class PullQuery {
  private final Pool pool;
  private final Principal principal;
  private final JsonObject request;
  private final long retentionMs;
  private final long skewMs;
  private static final long MAX_COMMIT_MARGIN_MS = 10_000;
  /** A task row encodes to about 700 bytes: sized so that a page rarely grows its buffer. */
  private static final int EXPECTED_BYTES_PER_ROW = 768;
  private final long startedAt = System.nanoTime();
  /** Loaded by every pull for now (branch cursor-params); PersistenceVerticle should load it once at start. */
  private CursorSigner signer;

  public PullQuery(Pool pool, Principal principal, JsonObject request, long retentionMs, long skewMs) {
    this.pool = pool;
    this.principal = principal;
    this.request = request;
    this.retentionMs = retentionMs;
    this.skewMs = skewMs;
  }

  /** The organization's feed as read before the page, with the server time and the last purge. */
  private record FeedState(long lastSeq, JsonObject clock, long now, long purgedAt, long purgeCutoff) {}

  /** Positions {@code (after, upTo]} of a sequence that started at {@code sequenceStart}. */
  private record Range(long after, long upTo, long sequenceStart) {}

  /** {@code request}: deviceId, limit, types (singular names), and cursor or sinceMillis (and offset). */
  public Future<PullPage> run() {
    // Binding the device and reading the feed are independent: two pooled connections, one round trip.
    Future<Void> bound = bindDevice();
    Future<FeedState> state = feedState();
    Future<CursorSigner> signed = CursorSigner.load(pool).onSuccess(loaded -> signer = loaded);
    return Future.all(bound, state, signed)
        .compose(ready -> range(state.result()).compose(range -> page(state.result(), range)));
  }

  private String deviceId() {
    return request.getString("deviceId");
  }

  private Future<Void> bindDevice() {
    if (deviceId() == null) {
      return Future.succeededFuture();
    }
    return pool.preparedQuery(SqlQueries.BIND_DEVICE)
        .execute(Tuple.of(deviceId(), principal.orgId(), principal.userId(), System.currentTimeMillis(), null, "pull"))
        .compose(rows -> rows.size() == 1 ? Future.succeededFuture() : Future.failedFuture(
            new GatewayException(ErrorCode.DEVICE_OWNED_BY_OTHER_USER, "This device id belongs to another user")));
  }

  private Future<FeedState> feedState() {
    return pool.preparedQuery(SqlQueries.FEED_STATE).execute(Tuple.of(principal.orgId())).map(rows -> {
      Row row = rows.iterator().next();
      return new FeedState(orZero(row.getLong("last_seq")), Rows.clockOrEmpty(row.getJsonObject("vector_clock")),
          row.getLong("now_ms"), orZero(row.getLong("purged_at")), orZero(row.getLong("cutoff")));
    });
  }

  private static long orZero(Long value) {
    return value == null ? 0 : value;
  }

  /** Where the page starts: after a cursor's position, or after the position reached before a time. */
  private Future<Range> range(FeedState state) {
    long horizon = state.now() - retentionMs;
    int limit = request.getInteger("limit");
    Long offset = request.getLong("offset");
    String cursor = request.getString("cursor");
    if (cursor != null) {
      FeedCursor position = FeedCursor.decode(cursor, signer, principal.orgId());
      if (mayHaveLostTombstones(position, horizon, state)) {
        return Future.failedFuture(resyncRequired());
      }
      return Future.succeededFuture(new Range(position.seq(), state.lastSeq(), position.sequenceStart()));
    }
    long since = request.getLong("sinceMillis", 0L);
    long skip = offset == null ? 0 : offset;
    if (since == 0) {
      return Future.succeededFuture(range(skip, limit, offset != null, state, state.now() - commitMarginMs()));
    }
    long sinceServerTime = since - skewMs;
    if (sinceServerTime < horizon) {
      return Future.failedFuture(resyncRequired());
    }
    return pool.preparedQuery(SqlQueries.POSITION_BEFORE)
        .execute(Tuple.of(principal.orgId(), sinceServerTime))
        .map(rows -> range(rows.iterator().next().getLong("seq") + skip, limit, offset != null, state, sinceServerTime));
  }

  /**
   * Rule 8 of the contract: a sequence that began before the horizon is too old. And a sequence
   * overtaken by a purge whose cutoff passed the cursor's position may have lost tombstones beyond
   * it: answering 410 there is what keeps "no gaps" true, instead of silently missing a delete.
   */
  private static boolean mayHaveLostTombstones(FeedCursor cursor, long horizon, FeedState state) {
    return cursor.sequenceStart() < horizon
        || (state.purgedAt() > cursor.sequenceStart() && state.purgeCutoff() > cursor.positionTime());
  }

  /** With an offset, pages are fixed position windows that never shift while others write. */
  private static Range range(long after, int limit, boolean positional, FeedState state, long sequenceStart) {
    return new Range(after, positional ? Math.min(after + limit, state.lastSeq()) : state.lastSeq(), sequenceStart);
  }

  private Future<PullPage> page(FeedState state, Range range) {
    int limit = request.getInteger("limit");
    if (range.upTo() <= range.after()) {
      return respond(state, range, List.of(), Math.max(range.after(), range.upTo()));
    }
    return pool.preparedQuery(SqlQueries.feedPage(types()))
        .execute(Tuple.of(principal.orgId(), range.after(), range.upTo(), deviceId(), limit + 1))
        .compose(rows -> {
          List<Row> page = new ArrayList<>();
          rows.forEach(page::add);
          if (page.size() > limit) {
            List<Row> full = page.subList(0, limit);
            return respond(state, range, full, full.get(limit - 1).getLong("feed_seq"));
          }
          return respond(state, range, page, range.upTo());
        });
  }

  private Future<PullPage> respond(FeedState state, Range range, List<Row> rows, long reached) {
    return nextCursor(state, range, reached)
        .map(cursor -> response(state, rows, cursor, reached < state.lastSeq()));
  }

  /**
   * At the end of the feed the next request starts a new sequence: every change written before now
   * (less a margin for pushes about to commit) is behind the cursor. In the middle, the cursor keeps
   * its sequence's start and records when its position was written.
   */
  private Future<FeedCursor> nextCursor(FeedState state, Range range, long reached) {
    if (reached >= state.lastSeq()) {
      long now = state.now() - commitMarginMs();
      return Future.succeededFuture(new FeedCursor(0, reached, now, now));
    }
    return pool.preparedQuery(SqlQueries.POSITION_TIME)
        .execute(Tuple.of(principal.orgId(), reached))
        .map(rows -> new FeedCursor(0, reached, rows.size() == 0 ? 0 : rows.iterator().next().getLong("at_ms"),
            range.sequenceStart()));
  }

  /**
   * A push that took the feed lock before the feed was read may commit just after, at a position
   * beyond the cursor, with an earlier time: allow for that (pushes hold the lock for milliseconds).
   */
  private long commitMarginMs() {
    return Math.min(MAX_COMMIT_MARGIN_MS, retentionMs / 10);
  }

  private Set<EntityType> types() {
    Set<EntityType> types = EnumSet.noneOf(EntityType.class);
    request.getJsonArray("types").forEach(name -> types.add(EntityType.fromName((String) name)));
    return types;
  }

  /**
   * The page written straight into one JSON buffer, row by row: the edge sends it as it is, so the
   * page is encoded once and never held as a tree of JSON objects.
   */
  private PullPage response(FeedState state, List<Row> rows, FeedCursor cursor, boolean hasMore) {
    List<EntityRow> tasks = new ArrayList<>();
    List<EntityRow> comments = new ArrayList<>();
    List<EntityRow> attachments = new ArrayList<>();
    List<EntityRow> tombstones = new ArrayList<>();
    for (Row row : rows) {
      EntityRow entity = Rows.feedEntity(row);
      if (entity.isDeleted()) {
        tombstones.add(entity);
      } else {
        switch (entity.type()) {
          case TASK -> tasks.add(entity);
          case COMMENT -> comments.add(entity);
          default -> attachments.add(entity);
        }
      }
    }
    logPull(rows.size());
    String orgId = principal.orgId();
    String nextCursor = cursor.encode(signer, orgId);
    Buffer json = new JsonBufferWriter(EXPECTED_BYTES_PER_ROW * (rows.size() + 1))
        .array("tasks", tasks, (entity, field) -> entity.writeEntity(orgId, field))
        .array("comments", comments, (entity, field) -> entity.writeEntity(orgId, field))
        .array("attachments", attachments, (entity, field) -> entity.writeEntity(orgId, field))
        .array("tombstones", tombstones, (entity, field) -> entity.writeTombstone(retentionMs, field))
        .field("serverVectorClock", state.clock())
        .field("hasMore", hasMore)
        .field("cursor", nextCursor)
        .field("timestamp", state.now())
        .field("retention", new JsonObject().put("retentionMs", retentionMs).put("horizon", state.now() - retentionMs))
        .toBuffer();
    return new PullPage(json, tasks.size(), comments.size(), attachments.size(), tombstones.size(), hasMore, nextCursor);
  }

  /** The sync log row of a pull is written after the answer; losing one never loses data. */
  private void logPull(int pulled) {
    int durationMs = (int) ((System.nanoTime() - startedAt) / 1_000_000);
    pool.preparedQuery(SqlQueries.INSERT_SYNC_LOG)
        .execute(Tuple.from(new Object[] {principal.orgId(), deviceId(), principal.userId(), "pull", null, 0, pulled,
            0, 0, 0, 0, 0, "success", durationMs, System.currentTimeMillis()}));
  }

  private static GatewayException resyncRequired() {
    return new GatewayException(ErrorCode.RESYNC_REQUIRED,
        "since is older than the retention horizon: drop the local copy and pull from the beginning");
  }
}
