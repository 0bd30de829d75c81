package io.syncgateway.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import io.syncgateway.persistence.ActivityLog.SyncLogEntry;
import io.syncgateway.persistence.db.PgUrl;
import io.syncgateway.testsupport.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Last-seen times and sync-log rows, written in the background in batches, never blocking a request. */
@DisplayName("ActivityLog")
class ActivityLogTest {
  private static final long BOUND_AT = 1_732_550_000_000L;

  private static Vertx vertx;
  private static Pool pool;

  private final AtomicLong dropped = new AtomicLong();

  @BeforeAll
  static void database() {
    vertx = Vertx.vertx();
    PgUrl url = TestDatabase.freshDatabase("ActivityLogTest");
    pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(4)).connectingTo(url.connectOptions())
        .using(vertx).build();
  }

  @AfterAll
  static void close() {
    pool.close().await();
    vertx.close().await();
  }

  @Test
  @DisplayName("a device visit reaches the devices table at the flush, not before")
  void visitWrittenAtFlush() {
    String device = boundDevice();
    ActivityLog log = newLog(100);

    log.deviceSeen(device, "pull", BOUND_AT + 1000, null);
    assertThat(deviceRow(device).getLong("last_seen_at")).isEqualTo(BOUND_AT);
    log.flush().await();

    Row row = deviceRow(device);
    assertThat(row.getLong("last_seen_at")).isEqualTo(BOUND_AT + 1000);
    assertThat(row.getLong("last_pull_at")).isEqualTo(BOUND_AT + 1000);
    assertThat(row.getLong("last_push_at")).isNull();
  }

  @Test
  @DisplayName("a push visit records the push time and the envelope's vector clock")
  void pushVisitRecordsClock() {
    String device = boundDevice();
    ActivityLog log = newLog(100);

    log.deviceSeen(device, "push", BOUND_AT + 1000, new JsonObject().put(device, 7));
    log.flush().await();

    Row row = deviceRow(device);
    assertThat(row.getLong("last_push_at")).isEqualTo(BOUND_AT + 1000);
    assertThat(row.getJsonObject("vector_clock")).isEqualTo(new JsonObject().put(device, 7));
  }

  @Test
  @DisplayName("visits of one device coalesce into one buffered record that keeps the latest of each time")
  void visitsCoalesce() {
    String device = boundDevice();
    ActivityLog log = newLog(100);

    log.deviceSeen(device, "pull", BOUND_AT + 2000, null);
    log.deviceSeen(device, "push", BOUND_AT + 1000, new JsonObject().put("a", 1));
    log.deviceSeen(device, "pull", BOUND_AT + 3000, null);
    assertThat(log.buffered()).isEqualTo(1);
    log.flush().await();

    Row row = deviceRow(device);
    assertThat(row.getLong("last_seen_at")).isEqualTo(BOUND_AT + 3000);
    assertThat(row.getLong("last_pull_at")).isEqualTo(BOUND_AT + 3000);
    assertThat(row.getLong("last_push_at")).isEqualTo(BOUND_AT + 1000);
    assertThat(row.getJsonObject("vector_clock")).isEqualTo(new JsonObject().put("a", 1));
  }

  @Test
  @DisplayName("times never go backwards: an older visit flushed late leaves newer times and clock in place")
  void timesAreMonotonic() {
    String device = boundDevice();
    ActivityLog log = newLog(100);
    log.deviceSeen(device, "push", BOUND_AT + 5000, new JsonObject().put("a", 5));
    log.deviceSeen(device, "pull", BOUND_AT + 5000, null);
    log.flush().await();

    log.deviceSeen(device, "push", BOUND_AT + 3000, new JsonObject().put("a", 3));
    log.deviceSeen(device, "pull", BOUND_AT + 3000, null);
    log.flush().await();

    Row row = deviceRow(device);
    assertThat(row.getLong("last_seen_at")).isEqualTo(BOUND_AT + 5000);
    assertThat(row.getLong("last_push_at")).isEqualTo(BOUND_AT + 5000);
    assertThat(row.getLong("last_pull_at")).isEqualTo(BOUND_AT + 5000);
    assertThat(row.getJsonObject("vector_clock")).isEqualTo(new JsonObject().put("a", 5));
  }

  @Test
  @DisplayName("a visit older than the binding does not move last_seen_at back")
  void visitOlderThanBinding() {
    String device = boundDevice();
    ActivityLog log = newLog(100);

    log.deviceSeen(device, "pull", BOUND_AT - 1000, null);
    log.flush().await();

    assertThat(deviceRow(device).getLong("last_seen_at")).isEqualTo(BOUND_AT);
  }

  @Test
  @DisplayName("a visit of a device that has no row yet is skipped without failing the flush")
  void unknownDeviceSkipped() {
    ActivityLog log = newLog(100);

    log.deviceSeen("never-bound-" + UUID.randomUUID(), "pull", BOUND_AT, null);

    assertThat(settled(log.flush()).succeeded()).isTrue();
    assertThat(dropped.get()).isZero();
  }

  @Test
  @DisplayName("a pull that names no device records no visit")
  void noDeviceNoVisit() {
    ActivityLog log = newLog(100);

    log.deviceSeen(null, "pull", BOUND_AT, null);

    assertThat(log.buffered()).isZero();
    assertThat(dropped.get()).isZero();
  }

  @Test
  @DisplayName("sync-log rows are written at the flush, every column as given")
  void syncLogRowsWrittenAtFlush() {
    String org = newOrg();
    ActivityLog log = newLog(100);
    SyncLogEntry push = new SyncLogEntry(org, "d1", "alice", "push", "batch-1", 10, 0, 6, 1, 1, 1, 1, "success",
        42, BOUND_AT);
    SyncLogEntry pull = new SyncLogEntry(org, null, "alice", "pull", null, 0, 25, 0, 0, 0, 0, 0, "success", 7,
        BOUND_AT + 1);

    log.sync(push);
    log.sync(pull);
    assertThat(syncLogs(org)).isEmpty();
    log.flush().await();

    assertThat(syncLogs(org)).containsExactly(push, pull);
    assertThat(log.buffered()).isZero();
  }

  @Test
  @DisplayName("a full buffer drops new records and counts them, but still coalesces visits of buffered devices")
  void overflowDropsAndCounts() {
    String org = newOrg();
    String device = boundDevice();
    ActivityLog log = newLog(3);
    log.sync(entry(org, 1));
    log.sync(entry(org, 2));
    log.deviceSeen(device, "pull", BOUND_AT + 1000, null);

    log.sync(entry(org, 3));
    log.deviceSeen(boundDevice(), "pull", BOUND_AT + 1000, null);
    log.deviceSeen(device, "pull", BOUND_AT + 2000, null);

    assertThat(dropped.get()).isEqualTo(2);
    assertThat(log.buffered()).isEqualTo(3);
    log.flush().await();
    assertThat(syncLogs(org)).extracting(SyncLogEntry::createdAt).containsExactly(1L, 2L);
    assertThat(deviceRow(device).getLong("last_seen_at")).isEqualTo(BOUND_AT + 2000);
  }

  @Test
  @DisplayName("a record the table would refuse is dropped and counted alone, so the rest of the batch is written")
  void invalidRecordDroppedAlone() {
    String org = newOrg();
    ActivityLog log = newLog(100);

    log.sync(new SyncLogEntry(org, "d1", "alice", "sideways", null, 0, 0, 0, 0, 0, 0, 0, "success", 1, 1));
    log.deviceSeen(boundDevice(), "wander", BOUND_AT, null);
    log.sync(entry(org, 2));
    log.flush().await();

    assertThat(dropped.get()).isEqualTo(2);
    assertThat(syncLogs(org)).extracting(SyncLogEntry::createdAt).containsExactly(2L);
  }

  @Test
  @DisplayName("a flush against an unreachable database fails, drops the batch and counts it, with no retry")
  void unreachableDatabase() throws IOException {
    Pool unreachable = PgBuilder.pool().with(new PoolOptions().setMaxSize(1))
        .connectingTo(new PgConnectOptions().setHost("127.0.0.1").setPort(closedPort())
            .setDatabase("none").setUser("none"))
        .using(vertx).build();
    try {
      ActivityLog log = new ActivityLog(vertx, unreachable, 100, 1000, dropped::addAndGet);
      log.deviceSeen("device-1", "pull", BOUND_AT, null);
      log.deviceSeen("device-2", "push", BOUND_AT, null);
      log.sync(entry("org-1", 1));

      assertThat(settled(log.flush()).failed()).isTrue();

      assertThat(dropped.get()).isEqualTo(3);
      assertThat(log.buffered()).isZero();
      assertThat(settled(log.flush()).succeeded()).as("nothing left to retry").isTrue();
      assertThat(dropped.get()).isEqualTo(3);
    } finally {
      unreachable.close().await();
    }
  }

  @Test
  @DisplayName("once started, it flushes periodically without anyone calling flush()")
  void periodicFlush() throws InterruptedException {
    String org = newOrg();
    String device = boundDevice();
    ActivityLog log = newLog(100, 50);
    log.start();
    try {
      log.sync(entry(org, 1));
      log.deviceSeen(device, "pull", BOUND_AT + 1000, null);

      long deadline = System.currentTimeMillis() + 5000;
      while ((syncLogs(org).isEmpty() || deviceRow(device).getLong("last_seen_at") == BOUND_AT)
          && System.currentTimeMillis() < deadline) {
        Thread.sleep(20);
      }

      assertThat(syncLogs(org)).hasSize(1);
      assertThat(deviceRow(device).getLong("last_seen_at")).isEqualTo(BOUND_AT + 1000);
    } finally {
      log.stop().await();
    }
  }

  @Test
  @DisplayName("stop() ends the periodic flush and writes what is left")
  void stopFlushesTheRest() throws InterruptedException {
    String org = newOrg();
    ActivityLog log = newLog(100, 50);
    log.start();

    log.sync(entry(org, 1));
    log.stop().await();
    log.sync(entry(org, 2));
    Thread.sleep(200);

    assertThat(syncLogs(org)).extracting(SyncLogEntry::createdAt).containsExactly(1L);
    assertThat(log.buffered()).isEqualTo(1);
  }

  @Test
  @DisplayName("a flush called while another runs waits for it, then writes what came in meanwhile")
  void flushWaitsForTheRunningOne() {
    String org = newOrg();
    ActivityLog log = newLog(100);
    log.sync(entry(org, 1));
    Future<Void> first = log.flush();

    log.sync(entry(org, 2));
    Future<Void> second = log.flush();
    second.await();

    assertThat(first.succeeded()).as("the first completed before the second began").isTrue();
    assertThat(syncLogs(org)).extracting(SyncLogEntry::createdAt).containsExactly(1L, 2L);
  }

  @Test
  @DisplayName("records from several threads, flushed while they arrive, are each written exactly once")
  void concurrentProducers() throws InterruptedException {
    String org = newOrg();
    ActivityLog log = newLog(10_000);
    int threads = 4;
    int perThread = 500;
    List<Thread> producers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int offset = t * perThread;
      producers.add(new Thread(() -> {
        for (int i = 0; i < perThread; i++) {
          log.sync(entry(org, offset + i));
        }
      }));
    }
    producers.forEach(Thread::start);
    while (producers.stream().anyMatch(Thread::isAlive)) {
      settled(log.flush());
    }
    for (Thread producer : producers) {
      producer.join();
    }
    log.flush().await();

    assertThat(dropped.get()).isZero();
    assertThat(syncLogs(org)).extracting(SyncLogEntry::createdAt).doesNotHaveDuplicates()
        .hasSize(threads * perThread);
  }

  private ActivityLog newLog(int capacity) {
    return newLog(capacity, 1000);
  }

  private ActivityLog newLog(int capacity, long flushIntervalMs) {
    return new ActivityLog(vertx, pool, capacity, flushIntervalMs, dropped::addAndGet);
  }

  /** A device with a row, as binding leaves it: first and last seen at BOUND_AT. */
  private static String boundDevice() {
    String device = "device-" + UUID.randomUUID();
    new DeviceBindings(pool, 1).bind(device, "org-a", "alice", BOUND_AT).await();
    return device;
  }

  private static SyncLogEntry entry(String org, long createdAt) {
    return new SyncLogEntry(org, "d1", "alice", "pull", null, 0, 1, 0, 0, 0, 0, 0, "success", 1, createdAt);
  }

  private static String newOrg() {
    return "org-" + UUID.randomUUID();
  }

  private static Row deviceRow(String device) {
    return pool.preparedQuery("SELECT * FROM devices WHERE device_id = $1").execute(Tuple.of(device)).await()
        .iterator().next();
  }

  private static List<SyncLogEntry> syncLogs(String org) {
    List<SyncLogEntry> entries = new ArrayList<>();
    for (Row row : pool.preparedQuery("SELECT * FROM sync_logs WHERE org_id = $1 ORDER BY created_at, id")
        .execute(Tuple.of(org)).await()) {
      entries.add(new SyncLogEntry(row.getString("org_id"), row.getString("device_id"), row.getString("user_id"),
          row.getString("sync_type"), row.getString("batch_id"), row.getInteger("entities_pushed"),
          row.getInteger("entities_pulled"), row.getInteger("applied"), row.getInteger("acknowledged"),
          row.getInteger("superseded"), row.getInteger("conflicts"), row.getInteger("rejected"),
          row.getString("status"), row.getInteger("duration_ms"), row.getLong("created_at")));
    }
    return entries;
  }

  /** Waits until the future completes, either way. */
  private static <T> Future<T> settled(Future<T> future) {
    future.transform(outcome -> Future.succeededFuture()).await();
    return future;
  }

  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
