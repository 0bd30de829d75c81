package io.syncgateway.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import io.syncgateway.bus.ErrorCode;
import io.syncgateway.bus.GatewayException;
import io.syncgateway.persistence.db.PgUrl;
import io.syncgateway.testsupport.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Device ids are bound forever to the (organization, user) that first used them (PROTOCOL.md §2). */
@DisplayName("DeviceBindings")
class DeviceBindingsTest {
  private static final long NOW = 1_732_550_000_000L;

  private static Vertx vertx;
  private static PgUrl url;
  private static Pool pool;

  @BeforeAll
  static void database() {
    vertx = Vertx.vertx();
    url = TestDatabase.freshDatabase("DeviceBindingsTest");
    pool = newPool(20);
  }

  @AfterAll
  static void close() {
    pool.close().await();
    vertx.close().await();
  }

  @Test
  @DisplayName("the first use binds the device to its organization and user, first and last seen now")
  void firstUseBinds() {
    String device = newDeviceId();

    new DeviceBindings(pool, 100).bind(device, "org-a", "alice", NOW).await();

    Row row = deviceRow(device);
    assertThat(row.getString("org_id")).isEqualTo("org-a");
    assertThat(row.getString("user_id")).isEqualTo("alice");
    assertThat(row.getLong("first_seen_at")).isEqualTo(NOW);
    assertThat(row.getLong("last_seen_at")).isEqualTo(NOW);
  }

  @Test
  @DisplayName("its owner passes again, from a process that has not seen the device yet")
  void sameOwnerPasses() {
    String device = newDeviceId();
    new DeviceBindings(pool, 100).bind(device, "org-a", "alice", NOW).await();

    Future<Void> again = settled(new DeviceBindings(pool, 100).bind(device, "org-a", "alice", NOW + 5000));

    assertThat(again.succeeded()).isTrue();
  }

  @Test
  @DisplayName("binding a known device is a read: it changes nothing in the row")
  void knownDeviceIsOnlyRead() {
    String device = newDeviceId();
    new DeviceBindings(pool, 100).bind(device, "org-a", "alice", NOW).await();

    new DeviceBindings(pool, 100).bind(device, "org-a", "alice", NOW + 5000).await();

    assertThat(deviceRow(device).getLong("last_seen_at")).isEqualTo(NOW);
  }

  @Test
  @DisplayName("another user of the same organization is refused with device_owned_by_other_user")
  void otherUserRefused() {
    String device = newDeviceId();
    new DeviceBindings(pool, 100).bind(device, "org-a", "alice", NOW).await();

    Throwable refusal = failureOf(new DeviceBindings(pool, 100).bind(device, "org-a", "bob", NOW));

    assertOwnedByOtherUser(refusal);
  }

  @Test
  @DisplayName("the same user id in another organization is refused")
  void otherOrganizationRefused() {
    String device = newDeviceId();
    new DeviceBindings(pool, 100).bind(device, "org-a", "alice", NOW).await();

    Throwable refusal = failureOf(new DeviceBindings(pool, 100).bind(device, "org-b", "alice", NOW));

    assertOwnedByOtherUser(refusal);
  }

  @Test
  @DisplayName("of 20 concurrent first binds by different users, exactly one wins and the rest are refused")
  void concurrentFirstBindsHaveOneWinner() {
    openConnections(20); // so that the attempts race in the database, not in the connection handshakes
    String device = newDeviceId();
    List<Future<Void>> attempts = new ArrayList<>();
    for (int user = 0; user < 20; user++) {
      // One DeviceBindings each, as if every attempt came from its own gateway process.
      attempts.add(new DeviceBindings(pool, 100).bind(device, "org-a", "user-" + user, NOW));
    }
    settled(Future.join(attempts));

    List<Integer> winners = new ArrayList<>();
    for (int user = 0; user < attempts.size(); user++) {
      Future<Void> attempt = attempts.get(user);
      if (attempt.succeeded()) {
        winners.add(user);
      } else {
        assertOwnedByOtherUser(attempt.cause());
      }
    }
    assertThat(winners).hasSize(1);
    assertThat(deviceRow(device).getString("user_id")).isEqualTo("user-" + winners.get(0));
  }

  @Test
  @DisplayName("a bind that waited for a concurrent first bind to commit reads the winner as owner")
  void bindThatWaitedReadsTheWinner() {
    String device = newDeviceId();
    SqlConnection winner = pool.getConnection().await();
    try {
      // The winner's insert stays uncommitted, so the others' statements start before it commits and
      // block on its row: their own snapshot cannot show them the owner.
      Transaction transaction = winner.begin().await();
      winner.preparedQuery(DeviceBindings.BIND_OR_READ_OWNER).execute(Tuple.of(device, "org-a", "alice", NOW))
          .await();
      Future<Void> bob = new DeviceBindings(pool, 100).bind(device, "org-a", "bob", NOW);
      Future<Void> alice = new DeviceBindings(pool, 100).bind(device, "org-a", "alice", NOW);
      awaitStatementsWaitingForLocks(2);
      transaction.commit().await();

      assertOwnedByOtherUser(failureOf(bob));
      assertThat(settled(alice).succeeded()).isTrue();
    } finally {
      winner.close().await();
    }
  }

  @Test
  @DisplayName("a remembered owner answers without the database, refusals included")
  void rememberedOwnerNeedsNoDatabase() {
    Pool ownPool = newPool(1);
    DeviceBindings bindings = new DeviceBindings(ownPool, 100);
    String device = newDeviceId();
    bindings.bind(device, "org-a", "alice", NOW).await();
    ownPool.close().await();

    assertThat(settled(bindings.bind(device, "org-a", "alice", NOW + 1)).succeeded()).isTrue();
    assertOwnedByOtherUser(failureOf(bindings.bind(device, "org-a", "bob", NOW + 1)));
  }

  @Test
  @DisplayName("remembers at most maxCached owners, forgetting the least recently used first")
  void cacheIsBounded() {
    Pool ownPool = newPool(1);
    DeviceBindings bindings = new DeviceBindings(ownPool, 2);
    String first = newDeviceId();
    String second = newDeviceId();
    String third = newDeviceId();
    bindings.bind(first, "org-a", "alice", NOW).await();
    bindings.bind(second, "org-a", "alice", NOW).await();
    bindings.bind(first, "org-a", "alice", NOW).await(); // first is now the most recently used
    bindings.bind(third, "org-a", "alice", NOW).await();
    ownPool.close().await();

    assertThat(bindings.cached()).isEqualTo(2);
    assertThat(settled(bindings.bind(first, "org-a", "alice", NOW)).succeeded()).isTrue();
    assertThat(settled(bindings.bind(third, "org-a", "alice", NOW)).succeeded()).isTrue();
    assertThat(settled(bindings.bind(second, "org-a", "alice", NOW)).failed())
        .as("forgotten, so it needs the (closed) database").isTrue();
  }

  private static void assertOwnedByOtherUser(Throwable refusal) {
    assertThat(refusal).isInstanceOf(GatewayException.class).hasMessage("This device id belongs to another user");
    assertThat(((GatewayException) refusal).code()).isEqualTo(ErrorCode.DEVICE_OWNED_BY_OTHER_USER);
  }

  private static Throwable failureOf(Future<Void> future) {
    Future<Void> settled = settled(future);
    assertThat(settled.failed()).as("expected a failure").isTrue();
    return settled.cause();
  }

  /** Opens that many pool connections at once, and gives them back. */
  private static void openConnections(int count) {
    List<Future<?>> sleeps = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      sleeps.add(pool.query("SELECT pg_sleep(0.05)").execute());
    }
    Future.all(sleeps).await();
  }

  private static void awaitStatementsWaitingForLocks(int count) {
    long deadline = System.currentTimeMillis() + 5000;
    while (System.currentTimeMillis() < deadline) {
      long waiting = pool.query("SELECT count(*) AS waiting FROM pg_stat_activity "
          + "WHERE datname = current_database() AND wait_event_type = 'Lock'").execute().await()
          .iterator().next().getLong("waiting");
      if (waiting >= count) {
        return;
      }
      LockSupport.parkNanos(10_000_000);
    }
    throw new AssertionError(count + " statements never waited for a lock");
  }

  /** Waits until the future completes, either way. */
  private static <T> Future<T> settled(Future<T> future) {
    future.transform(outcome -> Future.succeededFuture()).await();
    return future;
  }

  private static Row deviceRow(String device) {
    return pool.preparedQuery("SELECT * FROM devices WHERE device_id = $1").execute(Tuple.of(device)).await()
        .iterator().next();
  }

  private static String newDeviceId() {
    return "device-" + UUID.randomUUID();
  }

  private static Pool newPool(int size) {
    return PgBuilder.pool().with(new PoolOptions().setMaxSize(size)).connectingTo(url.connectOptions())
        .using(vertx).build();
  }
}
