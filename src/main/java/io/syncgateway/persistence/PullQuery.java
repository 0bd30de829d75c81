package io.syncgateway.persistence;

import io.syncgateway.bus.ErrorCode;
import io.syncgateway.bus.GatewayException;
import io.syncgateway.bus.PullRequest;
import io.syncgateway.clock.VectorClock;
import io.syncgateway.entity.EntityRow;
import io.syncgateway.entity.EntityType;
import io.syncgateway.metrics.SyncMetrics;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;

/**
 * One page of the change feed (docs/architecture.md, "The change feed"). Rows are ordered by the
 * position (writing transaction, sequence) and returned only once their transaction is below the
 * horizon (older than every transaction still running), read in the same statement as the page, so a
 * position below the cursor never gains a row later. When committed changes are held back above the
 * horizon by a transaction still running, the page waits (briefly) for that transaction to end, so a
 * sequence never ends without a change committed before it began.
 */
public final class PullQuery {
  /** A task row encodes to about 700 bytes: sized so that a page rarely grows its buffer. */
  private static final int EXPECTED_BYTES_PER_ROW = 768;
  private static final long MAX_COMMIT_MARGIN_MS = 10_000;
  private static final long HORIZON_POLL_MS = 5;

  /** What every pull query of a process shares. */
  public record Settings(Vertx vertx, Pool pool, CursorSigner signer, DeviceBindings bindings, ActivityLog activity,
      SyncMetrics metrics, long retentionMs, long skewMs, long holdbackWaitMs, long pageBytes) {}

  private final Settings settings;
  private final PullRequest request;
  private final String orgId;
  private final long startedAt = System.nanoTime();

  public PullQuery(Settings settings, PullRequest request) {
    this.settings = settings;
    this.request = request;
    this.orgId = request.principal().orgId();
  }

  /**
   * The server's view before the page: time, horizon, next transaction id, last purge, since's mark,
   * and when an admin forced the device to resync (null when not).
   */
  private record FeedState(long now, long horizon, long nextXid, long purgedAt, long purgeCutoff, Long mark,
      Long resyncRequestedAt) {}

  /** Where the page starts (after this position) and when its sequence started; offset for offset paging. */
  private record Start(long xid, long seq, long sequenceStart, Long offset) {}

  /** A position and the server time it was written. */
  private record Position(long xid, long seq, long writtenAt) {}

  /** What one read of the page found. */
  private record Read(List<Row> entities, boolean more, long horizon, Long held, Position last) {
    boolean heldBack() {
      return !more && held != null;
    }
  }

  public Future<PullPage> run() {
    // Binding the device and reading the feed state are independent: one round trip.
    Future<Void> bound = bindDevice();
    Future<FeedState> state = feedState();
    return Future.all(bound, state).compose(ready -> {
      Start start = start(state.result());
      return forcedResyncDone(state.result())
          .compose(done -> readWaitingForHeldBack(start))
          .map(read -> respond(state.result(), start, read));
    });
  }

  /** A cached read after the device's first contact: pulls write nothing per page. */
  private Future<Void> bindDevice() {
    if (request.deviceId() == null) {
      return Future.succeededFuture();
    }
    return settings.bindings().bind(request.deviceId(), orgId, request.principal().userId(), System.currentTimeMillis());
  }

  private Future<FeedState> feedState() {
    Long sinceServerTime = request.cursor() == null && request.sinceMillis() > 0
        ? request.sinceMillis() - settings.skewMs() : null;
    return settings.pool().preparedQuery(SqlQueries.PULL_STATE)
        .execute(Tuple.of(sinceServerTime, request.deviceId(), orgId)).map(rows -> {
          Row row = rows.iterator().next();
          return new FeedState(row.getLong("now_ms"), row.getLong("horizon"), row.getLong("next_xid"),
              orZero(row.getLong("purged_at")), orZero(row.getLong("cutoff")), row.getLong("mark"),
              row.getLong("resync_requested_at"));
        });
  }

  private static long orZero(Long value) {
    return value == null ? 0 : value;
  }

  /** After a cursor's position, or after the horizon that had been reached by a millisecond since. */
  private Start start(FeedState state) {
    if (state.resyncRequestedAt() != null && !startsFromBeginning()) {
      throw new GatewayException(ErrorCode.RESYNC_REQUIRED, "an administrator asked this device to resync: "
          + "drop the local copy and pull from the beginning");
    }
    long horizon = state.now() - settings.retentionMs();
    if (request.cursor() != null) {
      FeedCursor cursor = FeedCursor.decode(request.cursor(), settings.signer(), orgId);
      if (mayHaveLostTombstones(cursor, horizon, state) || cursor.xid() > state.nextXid()) {
        throw resyncRequired();
      }
      return new Start(cursor.xid(), cursor.seq(), cursor.sequenceStart(), null);
    }
    if (request.sinceMillis() == 0) {
      return new Start(0, 0, state.now() - commitMarginMs(), request.offset());
    }
    long sinceServerTime = request.sinceMillis() - settings.skewMs();
    if (sinceServerTime < horizon) {
      throw resyncRequired();
    }
    // Every transaction that commits after a server time T had an id at or above the horizon at T.
    long position = sinceServerTime >= state.now() ? state.horizon() : orZero(state.mark());
    return new Start(position, 0, sinceServerTime, request.offset());
  }

  /** A pull that starts a new copy of the feed: no cursor, since 0, no offset into an earlier sequence. */
  private boolean startsFromBeginning() {
    return request.cursor() == null && request.sinceMillis() == 0
        && (request.offset() == null || request.offset() == 0);
  }

  /**
   * A forced resync (admin API) ends with the device's pull from the beginning: this one. Cleared
   * only if no newer request came meanwhile; the pull fails if the clearing does, so the device
   * retries rather than believe it is done.
   */
  private Future<Void> forcedResyncDone(FeedState state) {
    if (state.resyncRequestedAt() == null) {
      return Future.succeededFuture();
    }
    return settings.pool().preparedQuery(SqlQueries.CLEAR_FORCED_RESYNC)
        .execute(Tuple.of(request.deviceId(), state.resyncRequestedAt())).mapEmpty();
  }

  /**
   * Rule 8 of the contract: a sequence that began before the horizon is too old. And a sequence
   * overtaken by a purge whose cutoff passed the cursor's position may have lost tombstones beyond
   * it: answering 410 there is what keeps "no gaps" true, instead of silently missing a delete. A
   * cursor beyond the next transaction id points past the end of this database's feed (a restore).
   */
  private static boolean mayHaveLostTombstones(FeedCursor cursor, long horizon, FeedState state) {
    return cursor.sequenceStart() < horizon
        || (state.purgedAt() > cursor.sequenceStart() && state.purgeCutoff() > cursor.positionTime());
  }

  /**
   * Reads the page; when it ends with committed changes held back by a running transaction, waits
   * until the horizon passes them (at most the configured wait) and reads again. Only the
   * transactions seen at the first read are waited for, so a steady stream of pushes cannot keep a
   * pull waiting.
   */
  private Future<Read> readWaitingForHeldBack(Start start) {
    return read(start).compose(first -> {
      if (!first.heldBack()) {
        return Future.succeededFuture(first);
      }
      long waitStarted = System.nanoTime();
      return horizonPassed(first.held(), System.currentTimeMillis() + settings.holdbackWaitMs())
          .compose(passed -> {
            settings.metrics().feedHoldback((System.nanoTime() - waitStarted) / 1_000_000, passed);
            return read(start).map(again -> passed ? again
                : new Read(again.entities(), true, again.horizon(), again.held(), again.last()));
          });
    });
  }

  private Future<Boolean> horizonPassed(long held, long deadline) {
    return settings.pool().query(SqlQueries.CURRENT_HORIZON).execute().compose(rows -> {
      if (rows.iterator().next().getLong("horizon") > held) {
        return Future.succeededFuture(true);
      }
      if (System.currentTimeMillis() >= deadline) {
        return Future.succeededFuture(false);
      }
      Promise<Boolean> passed = Promise.promise();
      settings.vertx().setTimer(HORIZON_POLL_MS, id -> horizonPassed(held, deadline).onComplete(passed));
      return passed.future();
    });
  }

  private Future<Read> read(Start start) {
    int limit = request.limit();
    String[] types = request.types().stream().map(EntityType::singular).toArray(String[]::new);
    Tuple tuple = Tuple.tuple().addString(orgId).addLong(start.xid()).addLong(start.seq())
        .addString(request.deviceId()).addInteger(limit + 1).addArrayOfString(types);
    if (start.offset() == null) {
      return settings.pool().preparedQuery(SqlQueries.feedPage(request.types()))
          .execute(tuple.addLong(settings.pageBytes()))
          .map(rows -> byPosition(rows, limit));
    }
    return settings.pool().preparedQuery(SqlQueries.offsetPage(request.types())).execute(tuple.addLong(start.offset()))
        .map(rows -> bySlot(rows, limit));
  }

  private static Read byPosition(Iterable<Row> rows, int limit) {
    List<Row> entities = new ArrayList<>();
    Row first = null;
    for (Row row : rows) {
      first = first == null ? row : first;
      if (row.getString("entity_type") != null) {
        entities.add(row);
      }
    }
    Long candidates = first.getLong("page_candidates");
    boolean cutForSize = candidates != null && entities.size() < candidates;
    boolean more = entities.size() > limit || cutForSize;
    List<Row> page = entities.size() > limit ? entities.subList(0, limit) : entities;
    Position last = page.isEmpty() ? null : position(page.get(page.size() - 1), "feed_xid", "feed_seq", "updated_at");
    return new Read(page, more, first.getLong("horizon"), first.getLong("held"), last);
  }

  private static Read bySlot(Iterable<Row> rows, int limit) {
    List<Row> entities = new ArrayList<>();
    Row first = null;
    Position last = null;
    int slots = 0;
    boolean more = false;
    for (Row row : rows) {
      first = first == null ? row : first;
      if (row.getLong("slot_xid") == null) {
        continue;
      }
      if (++slots > limit) {
        more = true;
        break;
      }
      last = position(row, "slot_xid", "slot_seq", "slot_written_at");
      if (row.getString("entity_type") != null) {
        entities.add(row);
      }
    }
    return new Read(entities, more, first.getLong("horizon"), first.getLong("held"), last);
  }

  private static Position position(Row row, String xid, String seq, String writtenAt) {
    return new Position(row.getLong(xid), row.getLong(seq), row.getLong(writtenAt));
  }

  /**
   * In the middle of the feed the cursor is the last position of the page, with its sequence's
   * start. At the end it is the horizon: every transaction below it has been read, and the next
   * request starts a new sequence.
   */
  private FeedCursor nextCursor(FeedState state, Start start, Read read) {
    if (read.more() && read.last() != null) {
      return new FeedCursor(read.last().xid(), read.last().seq(), read.last().writtenAt() - commitMarginMs(),
          start.sequenceStart());
    }
    boolean horizonAhead = read.horizon() > start.xid() || (read.horizon() == start.xid() && start.seq() == 0);
    long xid = horizonAhead ? read.horizon() : start.xid();
    long seq = horizonAhead ? 0 : start.seq();
    if (read.more()) {
      return new FeedCursor(xid, seq, state.now() - commitMarginMs(), start.sequenceStart());
    }
    long now = state.now() - commitMarginMs();
    return new FeedCursor(xid, seq, now, now);
  }

  /**
   * Positions are handed out by the decision's clock, read before the commit: allow for a push that
   * read the time before an earlier one committed (pushes take milliseconds).
   */
  private long commitMarginMs() {
    return Math.min(MAX_COMMIT_MARGIN_MS, settings.retentionMs() / 10);
  }

  /**
   * The page written straight into one JSON buffer, row by row: the edge sends it as it is, so the
   * page is encoded once and never held as a tree of JSON objects.
   */
  private PullPage respond(FeedState state, Start start, Read read) {
    List<Rows.FeedEntry> tasks = new ArrayList<>();
    List<Rows.FeedEntry> comments = new ArrayList<>();
    List<Rows.FeedEntry> attachments = new ArrayList<>();
    List<Rows.FeedEntry> tombstones = new ArrayList<>();
    VectorClock pageClock = VectorClock.empty();
    for (Row row : read.entities()) {
      Rows.FeedEntry entry = Rows.feedEntry(row);
      EntityRow entity = entry.entity();
      pageClock = pageClock.merge(entity.clock());
      if (entity.isDeleted()) {
        tombstones.add(entry);
      } else {
        switch (entity.type()) {
          case TASK -> tasks.add(entry);
          case COMMENT -> comments.add(entry);
          default -> attachments.add(entry);
        }
      }
    }
    logPull(read.entities().size());
    String nextCursor = nextCursor(state, start, read).encode(settings.signer(), orgId);
    long retentionMs = settings.retentionMs();
    Buffer json = new JsonBufferWriter(EXPECTED_BYTES_PER_ROW * (read.entities().size() + 1))
        .array("tasks", tasks, this::writeEntity)
        .array("comments", comments, this::writeEntity)
        .array("attachments", attachments, this::writeEntity)
        .array("tombstones", tombstones, (entry, out) -> entry.entity().writeTombstone(retentionMs, out::field))
        .field("serverVectorClock", pageClock.toJson())
        .field("hasMore", read.more())
        .field("cursor", nextCursor)
        .field("timestamp", state.now())
        .field("retention", new JsonObject().put("retentionMs", retentionMs).put("horizon", state.now() - retentionMs))
        .toBuffer();
    return new PullPage(json, tasks.size(), comments.size(), attachments.size(), tombstones.size(), read.more(),
        nextCursor);
  }

  private void writeEntity(Rows.FeedEntry entry, JsonBufferWriter.Members out) {
    entry.entity().writeEntity(orgId, out::field, () -> out.rawMembers(entry.dataText()));
  }

  /** The device's visit and the sync log row, written in the background; losing one never loses data. */
  private void logPull(int pulled) {
    long now = System.currentTimeMillis();
    int durationMs = (int) ((System.nanoTime() - startedAt) / 1_000_000);
    settings.activity().deviceSeen(request.deviceId(), "pull", now, null);
    settings.activity().sync(new ActivityLog.SyncLogEntry(orgId, request.deviceId(), request.principal().userId(),
        "pull", null, 0, pulled, 0, 0, 0, 0, 0, "success", durationMs, now));
  }

  private static GatewayException resyncRequired() {
    return new GatewayException(ErrorCode.RESYNC_REQUIRED,
        "since is older than the retention horizon: drop the local copy and pull from the beginning");
  }
}
