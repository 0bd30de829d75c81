package io.syncgateway.persistence;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Device last-seen times and sync-log rows, written in the background in batches so that no request
 * waits for them or fails because of them. It is bookkeeping, not data: when the buffer is full or the
 * database refuses a batch, records are dropped and counted, never retried.
 *
 * <p>Safe to share between verticle instances on different event loops: the hot path takes one short
 * lock to add to the buffer, and a flush swaps the whole buffer out under the same lock.
 */
public final class ActivityLog {
  private static final Logger LOG = LoggerFactory.getLogger(ActivityLog.class);

  /**
   * All buffered visits in one statement. GREATEST keeps every time monotonic (another process, or an
   * older visit flushed late, never moves one back), and a clock replaces the stored one only when its
   * push is not older than the stored last push. Devices without a row are skipped: binding creates it.
   */
  static final String UPDATE_DEVICES = "UPDATE devices AS d SET "
      + "last_seen_at = GREATEST(d.last_seen_at, v.seen_at), "
      + "last_push_at = GREATEST(d.last_push_at, v.push_at), "
      + "last_pull_at = GREATEST(d.last_pull_at, v.pull_at), "
      + "vector_clock = CASE WHEN v.clock IS NOT NULL AND v.clock_at >= COALESCE(d.last_push_at, v.clock_at) "
      + "THEN v.clock::jsonb ELSE d.vector_clock END "
      + "FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[], $5::text[], $6::bigint[]) "
      + "AS v(device_id, seen_at, push_at, pull_at, clock, clock_at) "
      + "WHERE d.device_id = v.device_id";

  /** All buffered sync-log rows in one multi-row insert, one array per column. */
  static final String INSERT_SYNC_LOGS = "INSERT INTO sync_logs (org_id, device_id, user_id, sync_type, batch_id, "
      + "entities_pushed, entities_pulled, applied, acknowledged, superseded, conflicts, rejected, status, "
      + "duration_ms, created_at, outcomes) "
      + "SELECT o, d, u, t, b, ep, el, a, k, s, c, r, st, ms, at, oc::jsonb "
      + "FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::int[], "
      + "$8::int[], $9::int[], $10::int[], $11::int[], $12::int[], $13::text[], $14::int[], $15::bigint[], "
      + "$16::text[]) AS v(o, d, u, t, b, ep, el, a, k, s, c, r, st, ms, at, oc)";

  public static final long DEFAULT_FLUSH_INTERVAL_MS = 1000;

  private final Vertx vertx;
  private final Pool pool;
  private final int capacity;
  private final long flushIntervalMs;
  private final LongConsumer droppedCounter;

  private final Object lock = new Object();
  private Map<String, Visit> visits = new HashMap<>();
  private List<SyncLogEntry> syncLogs = new ArrayList<>();
  private Future<Void> flushing;
  private long timerId = -1;
  private boolean warnedAboutInvalidRecord;

  /**
   * @param capacity how many records may wait: buffered sync-log rows plus distinct devices
   * @param droppedCounter called with how many records were dropped (buffer full, invalid record or
   *     failed flush); it is called from any thread
   */
  public ActivityLog(Vertx vertx, Pool pool, int capacity, long flushIntervalMs, LongConsumer droppedCounter) {
    if (capacity < 1 || flushIntervalMs < 1) {
      throw new IllegalArgumentException("capacity and flushIntervalMs must be positive");
    }
    this.vertx = vertx;
    this.pool = pool;
    this.capacity = capacity;
    this.flushIntervalMs = flushIntervalMs;
    this.droppedCounter = droppedCounter;
  }

  /** Flushes every flushIntervalMs; a tick that finds a flush still running skips. */
  public void start() {
    synchronized (lock) {
      if (timerId < 0) {
        timerId = vertx.setPeriodic(flushIntervalMs, id -> flushUnlessFlushing());
      }
    }
  }

  /** Stops the periodic flush and flushes what is left (for shutdown). */
  public Future<Void> stop() {
    synchronized (lock) {
      if (timerId >= 0) {
        vertx.cancelTimer(timerId);
        timerId = -1;
      }
    }
    return flush();
  }

  /**
   * A device was seen: kind is "push" or "pull"; deviceClock (nullable) is the envelope vectorClock of
   * a push, kept by reference until the flush, so it must not be changed afterwards. Visits of one
   * device coalesce until the next flush: one row update carries the latest of each time.
   */
  public void deviceSeen(String deviceId, String kind, long atMs, JsonObject deviceClock) {
    if (deviceId == null) {
      return; // a pull may name no device: nothing to record
    }
    Visit visit = Visit.of(kind, atMs, deviceClock);
    if (visit == null) {
      refuseInvalid("device visit of kind " + kind);
      return;
    }
    boolean kept;
    synchronized (lock) {
      Visit buffered = visits.get(deviceId);
      kept = buffered != null || hasRoom();
      if (kept) {
        visits.put(deviceId, buffered == null ? visit : buffered.merge(visit));
      }
    }
    if (!kept) {
      droppedCounter.accept(1);
    }
  }

  /** One sync_logs row. */
  public void sync(SyncLogEntry entry) {
    if (entry == null || !entry.fitsTable()) {
      refuseInvalid("sync-log entry " + entry);
      return;
    }
    boolean kept;
    synchronized (lock) {
      kept = hasRoom();
      if (kept) {
        syncLogs.add(entry);
      }
    }
    if (!kept) {
      droppedCounter.accept(1);
    }
  }

  /**
   * Writes what is buffered now. If a flush is running, waits for it and then flushes. Completes when
   * written; fails (after counting the dropped records and logging one warning) when the database
   * refused part of it. Nothing is retried.
   */
  public Future<Void> flush() {
    Future<Void> running;
    Batch batch;
    Promise<Void> done = Promise.promise();
    synchronized (lock) {
      running = flushing;
      batch = running == null ? takeBuffered() : null;
      if (batch != null) {
        flushing = done.future();
      }
    }
    if (running != null) {
      return running.transform(previous -> flush());
    }
    if (batch == null) {
      return Future.succeededFuture();
    }
    write(batch).onComplete(written -> {
      synchronized (lock) {
        flushing = null; // cleared before completing, so a waiting flush() can start its own
      }
      done.handle(written);
    });
    return done.future();
  }

  /** Records waiting for the next flush (sync-log rows plus distinct devices). */
  public int buffered() {
    synchronized (lock) {
      return visits.size() + syncLogs.size();
    }
  }

  private void flushUnlessFlushing() {
    synchronized (lock) {
      if (flushing != null) {
        return;
      }
    }
    flush(); // a failure is already counted and logged
  }

  private boolean hasRoom() {
    return visits.size() + syncLogs.size() < capacity;
  }

  /** Swaps the buffer out (under the lock), or null when there is nothing to write. */
  private Batch takeBuffered() {
    if (visits.isEmpty() && syncLogs.isEmpty()) {
      return null;
    }
    Batch batch = new Batch(visits, syncLogs);
    visits = new HashMap<>();
    syncLogs = new ArrayList<>();
    return batch;
  }

  /** Both statements, one after the other (background work should hold one pool connection, not two). */
  private Future<Void> write(Batch batch) {
    return attempt(writeVisits(batch.visits())).compose(visitsFailure ->
        attempt(writeSyncLogs(batch.syncLogs())).compose(syncLogsFailure -> {
          if (visitsFailure == null && syncLogsFailure == null) {
            return Future.succeededFuture();
          }
          int droppedVisits = visitsFailure == null ? 0 : batch.visits().size();
          int droppedSyncLogs = syncLogsFailure == null ? 0 : batch.syncLogs().size();
          Throwable cause = visitsFailure != null ? visitsFailure : syncLogsFailure;
          LOG.warn("Activity flush failed, dropped {} device visits and {} sync-log rows: {}",
              droppedVisits, droppedSyncLogs, cause.toString());
          droppedCounter.accept(droppedVisits + droppedSyncLogs);
          return Future.failedFuture(cause);
        }));
  }

  private Future<Void> writeVisits(Map<String, Visit> byDevice) {
    if (byDevice.isEmpty()) {
      return Future.succeededFuture();
    }
    // Sorted: flushes of several processes that walk their visits in order lock shared rows in one order.
    Map<String, Visit> sorted = new TreeMap<>(byDevice);
    int n = sorted.size();
    String[] deviceIds = new String[n];
    Long[] seenAt = new Long[n];
    Long[] pushAt = new Long[n];
    Long[] pullAt = new Long[n];
    String[] clocks = new String[n];
    Long[] clockAt = new Long[n];
    int i = 0;
    for (Map.Entry<String, Visit> entry : sorted.entrySet()) {
      Visit visit = entry.getValue();
      deviceIds[i] = entry.getKey();
      seenAt[i] = visit.seenAt();
      pushAt[i] = visit.pushAt();
      pullAt[i] = visit.pullAt();
      clocks[i] = visit.clock() == null ? null : visit.clock().encode();
      clockAt[i] = visit.clockAt();
      i++;
    }
    Tuple arrays = Tuple.tuple().addArrayOfString(deviceIds).addArrayOfLong(seenAt).addArrayOfLong(pushAt)
        .addArrayOfLong(pullAt).addArrayOfString(clocks).addArrayOfLong(clockAt);
    return pool.preparedQuery(UPDATE_DEVICES).execute(arrays).mapEmpty();
  }

  private Future<Void> writeSyncLogs(List<SyncLogEntry> entries) {
    if (entries.isEmpty()) {
      return Future.succeededFuture();
    }
    int n = entries.size();
    String[] orgIds = new String[n];
    String[] deviceIds = new String[n];
    String[] userIds = new String[n];
    String[] syncTypes = new String[n];
    String[] batchIds = new String[n];
    Integer[] entitiesPushed = new Integer[n];
    Integer[] entitiesPulled = new Integer[n];
    Integer[] applied = new Integer[n];
    Integer[] acknowledged = new Integer[n];
    Integer[] superseded = new Integer[n];
    Integer[] conflicts = new Integer[n];
    Integer[] rejected = new Integer[n];
    String[] statuses = new String[n];
    Integer[] durationsMs = new Integer[n];
    Long[] createdAt = new Long[n];
    String[] outcomes = new String[n];
    for (int i = 0; i < n; i++) {
      SyncLogEntry entry = entries.get(i);
      orgIds[i] = entry.orgId();
      deviceIds[i] = entry.deviceId();
      userIds[i] = entry.userId();
      syncTypes[i] = entry.syncType();
      batchIds[i] = entry.batchId();
      entitiesPushed[i] = entry.entitiesPushed();
      entitiesPulled[i] = entry.entitiesPulled();
      applied[i] = entry.applied();
      acknowledged[i] = entry.acknowledged();
      superseded[i] = entry.superseded();
      conflicts[i] = entry.conflicts();
      rejected[i] = entry.rejected();
      statuses[i] = entry.status();
      durationsMs[i] = entry.durationMs();
      createdAt[i] = entry.createdAt();
      outcomes[i] = entry.outcomes() == null ? null : entry.outcomes().encode();
    }
    Tuple columns = Tuple.tuple().addArrayOfString(orgIds).addArrayOfString(deviceIds).addArrayOfString(userIds)
        .addArrayOfString(syncTypes).addArrayOfString(batchIds).addArrayOfInteger(entitiesPushed)
        .addArrayOfInteger(entitiesPulled).addArrayOfInteger(applied).addArrayOfInteger(acknowledged)
        .addArrayOfInteger(superseded).addArrayOfInteger(conflicts).addArrayOfInteger(rejected)
        .addArrayOfString(statuses).addArrayOfInteger(durationsMs).addArrayOfLong(createdAt)
        .addArrayOfString(outcomes);
    return pool.preparedQuery(INSERT_SYNC_LOGS).execute(columns).mapEmpty();
  }

  /** The failure of a write, or null when it succeeded. */
  private static Future<Throwable> attempt(Future<Void> write) {
    return write.transform(outcome -> Future.succeededFuture(outcome.cause()));
  }

  /** A record the table would refuse is dropped alone, so it cannot sink a whole batch. A bug: warn once. */
  private void refuseInvalid(String what) {
    boolean firstTime;
    synchronized (lock) {
      firstTime = !warnedAboutInvalidRecord;
      warnedAboutInvalidRecord = true;
    }
    if (firstTime) {
      LOG.warn("Activity log dropped an invalid {} (further ones are only counted)", what);
    }
    droppedCounter.accept(1);
  }

  /**
   * One sync_logs row. {@code outcomes} (nullable): a push's conflicts and rejections per entity type
   * and code, as {@link PushOutcomes} counts them.
   */
  public record SyncLogEntry(String orgId, String deviceId, String userId, String syncType /* push|pull */,
      String batchId, int entitiesPushed, int entitiesPulled, int applied, int acknowledged, int superseded,
      int conflicts, int rejected, String status, int durationMs, long createdAt, JsonArray outcomes) {

    /** A row without outcome counts (a pull, or a push with neither conflicts nor rejections). */
    public SyncLogEntry(String orgId, String deviceId, String userId, String syncType, String batchId,
        int entitiesPushed, int entitiesPulled, int applied, int acknowledged, int superseded, int conflicts,
        int rejected, String status, int durationMs, long createdAt) {
      this(orgId, deviceId, userId, syncType, batchId, entitiesPushed, entitiesPulled, applied, acknowledged,
          superseded, conflicts, rejected, status, durationMs, createdAt, null);
    }

    /** The NOT NULL and CHECK constraints of sync_logs; device_id and batch_id may be null. */
    boolean fitsTable() {
      return orgId != null && userId != null && status != null
          && ("push".equals(syncType) || "pull".equals(syncType));
    }
  }

  /**
   * The coalesced visits of one device since the last flush: the latest time seen, pushed and pulled,
   * and the clock of the latest push that carried one (clockAt is that push's time).
   */
  private record Visit(long seenAt, Long pushAt, Long pullAt, JsonObject clock, Long clockAt) {

    static Visit of(String kind, long atMs, JsonObject clock) {
      if ("push".equals(kind)) {
        return new Visit(atMs, atMs, null, clock, clock == null ? null : atMs);
      }
      if ("pull".equals(kind)) {
        return new Visit(atMs, null, atMs, null, null);
      }
      return null;
    }

    Visit merge(Visit later) {
      // Ties go to the later call: it is the newer news.
      boolean laterClock = later.clockAt != null && (clockAt == null || later.clockAt >= clockAt);
      return new Visit(Math.max(seenAt, later.seenAt), latest(pushAt, later.pushAt), latest(pullAt, later.pullAt),
          laterClock ? later.clock : clock, laterClock ? later.clockAt : clockAt);
    }

    private static Long latest(Long a, Long b) {
      return a == null ? b : b == null ? a : Long.valueOf(Math.max(a, b));
    }
  }

  private record Batch(Map<String, Visit> visits, List<SyncLogEntry> syncLogs) {
  }
}
