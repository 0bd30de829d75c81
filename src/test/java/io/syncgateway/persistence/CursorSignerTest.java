package io.syncgateway.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import io.syncgateway.persistence.db.PgUrl;
import io.syncgateway.testsupport.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The cursor key lives in the database (V4 migration): every gateway process on one database signs
 * and verifies cursors with the same key, created once by whichever process needs it first.
 */
@DisplayName("CursorSigner.load on a real database")
class CursorSignerTest {
  private static final String PAYLOAD = "feed-cursor/1|5:org-1|c1_2_3_4";
  private static Vertx vertx;
  private static PgUrl database;
  private final List<Pool> pools = new ArrayList<>();

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    database = TestDatabase.freshDatabase("cursor_signer");
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  /** Every test starts from a database that has no key yet. */
  @BeforeEach
  void withoutKey() {
    pool().query("DELETE FROM gateway_secrets").execute().await();
  }

  @AfterEach
  void closePools() {
    pools.forEach(pool -> pool.close().await());
  }

  /** A pool of its own, as a separate gateway process would have. */
  private Pool pool() {
    Pool pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(2)).connectingTo(database.connectOptions())
        .using(vertx).build();
    pools.add(pool);
    return pool;
  }

  private long storedKeys() {
    return pool().query("SELECT count(*) AS n FROM gateway_secrets").execute().await().iterator().next().getLong("n");
  }

  @Test
  @DisplayName("creates a 32-byte key on first load")
  void createsKey() {
    CursorSigner.load(pool()).await();

    var row = pool().query("SELECT name, length(value) AS bytes FROM gateway_secrets").execute().await()
        .iterator().next();
    assertThat(row.getString("name")).isEqualTo(CursorSigner.KEY_NAME);
    assertThat(row.getInteger("bytes")).isEqualTo(32);
  }

  @Test
  @DisplayName("returns the same key on a second load, as after a restart")
  void sameKeyTwice() {
    CursorSigner first = CursorSigner.load(pool()).await();
    CursorSigner second = CursorSigner.load(pool()).await();

    assertThat(second.tag(PAYLOAD)).isEqualTo(first.tag(PAYLOAD));
    assertThat(storedKeys()).isEqualTo(1);
  }

  @Test
  @DisplayName("processes loading at once on a database without a key all end up with one and the same key")
  void sameKeyConcurrently() {
    List<Future<CursorSigner>> loads = IntStream.range(0, 8).mapToObj(i -> CursorSigner.load(pool())).toList();
    Future.all(loads).await();

    assertThat(loads.stream().map(load -> load.result().tag(PAYLOAD)).distinct()).hasSize(1);
    assertThat(storedKeys()).isEqualTo(1);
  }

  @Test
  @DisplayName("uses the key already in the database")
  void usesStoredKey() {
    byte[] key = new byte[32];
    Arrays.fill(key, (byte) 7);
    pool().preparedQuery("INSERT INTO gateway_secrets (name, value, created_at) VALUES ($1, $2, 0)")
        .execute(Tuple.of(CursorSigner.KEY_NAME, Buffer.buffer(key))).await();

    assertThat(CursorSigner.load(pool()).await().tag(PAYLOAD)).isEqualTo(CursorSigner.ofKey(key).tag(PAYLOAD));
  }

  @Test
  @DisplayName("two databases have different keys")
  void keysDifferBetweenDatabases() {
    PgUrl other = TestDatabase.freshDatabase("cursor_signer_other");
    Pool otherPool = PgBuilder.pool().connectingTo(other.connectOptions()).using(vertx).build();
    pools.add(otherPool);

    assertThat(CursorSigner.load(otherPool).await().tag(PAYLOAD)).isNotEqualTo(CursorSigner.load(pool()).await().tag(PAYLOAD));
  }
}
