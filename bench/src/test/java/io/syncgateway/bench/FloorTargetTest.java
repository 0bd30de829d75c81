package io.syncgateway.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.syncgateway.auth.TokenService;
import io.syncgateway.persistence.db.PgUrl;
import io.syncgateway.testsupport.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.Tuple;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The floor target against a real database: what it writes, what it locks, what a pull page holds. */
class FloorTargetTest {
  private static PgUrl database;
  private static Vertx vertx;
  private static TokenService tokens;
  private FloorTarget floor;
  private SimDevice device;

  @BeforeAll
  static void startDatabase() {
    database = TestDatabase.freshDatabase("floor");
    vertx = Vertx.vertx();
    tokens = new TokenService(vertx, TokenService.randomSecret());
  }

  @AfterAll
  static void stopVertx() {
    vertx.close().await();
  }

  @BeforeEach
  void createTarget() {
    floor = FloorTarget.create(vertx, database.connectOptions(), 4);
    device = SimDevice.one("org-floor", "d", tokens);
  }

  @AfterEach
  void closeTarget() {
    floor.close();
  }

  @Test
  @DisplayName("a push of 3 new tasks, then a pull returns them as a gzipped page in the gateway's shape")
  void pushThenPull() throws IOException {
    Outcome pushed = floor.push(device, floor.encode(device, body(creates(3), "c0"))).await();

    FloorPage page = floor.readPage("org-floor", 100, null).await();
    JsonObject json = gunzip(page.gzippedJson());

    assertThat(pushed).isEqualTo(Outcome.of(3));
    assertThat(page.toPage()).isEqualTo(Page.of(json));
    assertThat(page.toPage()).extracting(Page::entities, Page::hasMore).containsExactly(3, false);
    JsonObject first = json.getJsonArray("tasks").getJsonObject(0);
    assertThat(first.getString("id")).isEqualTo(TaskPayloads.taskId(device.deviceId(), 0));
    assertThat(first.getString("title")).startsWith("Prepare quarterly report part 0000000");
    assertThat(first.getJsonArray("tags")).hasSize(3);
    assertThat(first.getJsonObject("vectorClock")).isEqualTo(new JsonObject().put(device.deviceId(), 1));
    assertThat(first.getLong("version")).isEqualTo(1);
    assertThat(first.getString("lastModifiedDevice")).isEqualTo(device.deviceId());
    assertThat(first.getString("organizationId")).isEqualTo("org-floor");
    assertThat(first.getString("checksum")).hasSize(64);
    assertThat(first.containsKey("operation")).isFalse();
    assertThat(json.getJsonArray("tombstones")).isEmpty();
  }

  @Test
  @DisplayName("pages follow the position: a limit of 2 gives 2 and more, the cursor then gives the last one")
  void pagesByPosition() {
    floor.push(device, floor.encode(device, body(creates(3), "c0"))).await();

    Page first = floor.pull(device, 2, null).await();
    Page second = floor.pull(device, 2, first.cursor()).await();
    Page after = floor.pull(device, 2, second.cursor()).await();

    assertThat(first).extracting(Page::entities, Page::hasMore).containsExactly(2, true);
    assertThat(second).extracting(Page::entities, Page::hasMore).containsExactly(1, false);
    assertThat(after).isEqualTo(new Page(0, second.cursor(), false));
  }

  @Test
  @DisplayName("an update batch waits for the rows' locks, then writes every item with a new version and position")
  void updateLocksAndWrites() throws InterruptedException {
    floor.push(device, floor.encode(device, body(creates(3), "c0"))).await();
    String created = floor.pull(device, 100, null).await().cursor();
    FloorBatch updates = floor.encode(device, body(updates(3), "u0"));
    PgConnection other = PgConnection.connect(vertx, database.connectOptions()).await();
    Transaction holding = other.begin().await();
    other.preparedQuery("SELECT 1 FROM floor_tasks WHERE org_id = $1 AND id = $2 FOR UPDATE")
        .execute(Tuple.of("org-floor", TaskPayloads.taskId(device.deviceId(), 1))).await();

    Future<Outcome> pushed = floor.push(device, updates);
    Thread.sleep(500);
    boolean doneWhileLocked = pushed.isComplete();
    holding.commit().await();
    other.close().await();

    assertThat(doneWhileLocked).as("the push waits for the row lock").isFalse();
    assertThat(pushed.await()).isEqualTo(Outcome.of(3));
    List<Row> rows = new ArrayList<>();
    PgConnection reader = PgConnection.connect(vertx, database.connectOptions()).await();
    reader.query("SELECT version, data->>'title' FROM floor_tasks ORDER BY id").execute().await().forEach(rows::add);
    reader.close().await();
    assertThat(rows).extracting(row -> row.getLong(0)).containsExactly(2L, 2L, 2L);
    assertThat(rows).extracting(row -> row.getString(1)).allMatch(title -> title.endsWith(" r01"));
    assertThat(floor.pull(device, 100, created).await().entities()).as("updated rows moved to new positions")
        .isEqualTo(3);
  }

  @Test
  @DisplayName("closing the target drops its table; creating it again starts empty")
  void closeDropsTheTable() {
    floor.push(device, floor.encode(device, body(creates(3), "c0"))).await();

    floor.close();
    PgConnection reader = PgConnection.connect(vertx, database.connectOptions()).await();
    Object table = reader.query("SELECT to_regclass('floor_tasks')::text").execute().await().iterator().next()
        .getValue(0);
    reader.close().await();
    floor = FloorTarget.create(vertx, database.connectOptions(), 4);

    assertThat(table).isNull();
    assertThat(floor.pull(device, 100, null).await()).isEqualTo(new Page(0, null, false));
  }

  private JsonObject body(List<JsonObject> tasks, String batch) {
    return TaskPayloads.body(device.deviceId(), device.deviceId() + "-" + batch, tasks);
  }

  private List<JsonObject> creates(int count) {
    return IntStream.range(0, count)
        .mapToObj(n -> TaskPayloads.create(device.deviceId(), TaskPayloads.taskId(device.deviceId(), n), n)).toList();
  }

  private List<JsonObject> updates(int count) {
    JsonObject clock = new JsonObject().put(device.deviceId(), 2L);
    return IntStream.range(0, count)
        .mapToObj(n -> TaskPayloads.update(TaskPayloads.taskId(device.deviceId(), n), clock, n, 1)).toList();
  }

  private static JsonObject gunzip(Buffer gzipped) throws IOException {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzipped.getBytes()))) {
      return new JsonObject(Buffer.buffer(in.readAllBytes()));
    }
  }
}
