package io.syncgateway.live;

import static io.syncgateway.testsupport.Changes.batch;
import static io.syncgateway.testsupport.Changes.clock;
import static io.syncgateway.testsupport.Changes.comment;
import static io.syncgateway.testsupport.Changes.task;
import static io.syncgateway.testsupport.Changes.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.syncgateway.auth.Role;
import io.syncgateway.auth.TokenService;
import io.syncgateway.config.Setting;
import io.syncgateway.persistence.db.PgUrl;
import io.syncgateway.testsupport.GatewayHarness;
import io.syncgateway.testsupport.SseClient;
import io.syncgateway.testsupport.SseClient.Event;
import io.syncgateway.testsupport.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

@DisplayName("Live updates: GET /api/sync/events across two gateway processes on one database")
class LiveUpdatesTest {
  private static final Duration WITHIN_CONTRACT = Duration.ofSeconds(1);
  /** How long to watch for an event that must not come (notices arrive in milliseconds). */
  private static final Duration QUIET = Duration.ofMillis(1500);
  private static final int MAX_STREAMS_PER_USER = 2;

  private static PgUrl database;
  /**
   * Pushes go through this one; its breaker gives a push stuck on a lock up after 1.5 s, and, open
   * after that lost connection, half-opens again after 200 ms.
   */
  private static GatewayHarness writer;
  /** Streams are read from this one, with a fast ping and a low per-user cap. */
  private static GatewayHarness reader;
  private String org;
  private String token;

  @BeforeAll
  static void startGateways() {
    database = TestDatabase.freshDatabase("live_updates");
    writer = GatewayHarness.start(database, Map.of(Setting.BREAKER_TIMEOUT_MS, 1500L,
        Setting.BREAKER_RESET_MS, 200L));
    reader = GatewayHarness.start(database, Map.of(Setting.LIVE_PING_INTERVAL_MS, 300L,
        Setting.LIVE_MAX_STREAMS_PER_USER, MAX_STREAMS_PER_USER));
  }

  @AfterAll
  static void stopGateways() {
    try {
      reader.close();
    } finally {
      writer.close();
    }
  }

  @BeforeEach
  void newOrganization() {
    org = uniqueId("org");
    token = reader.token("alice", org);
  }

  private SseClient stream(String query) {
    SseClient stream = SseClient.open(reader.gateway().httpPort(), "/api/sync/events" + query, token);
    assertThat(stream.status()).as("stream status").isEqualTo(200);
    return stream;
  }

  private void pushTask(String device, String id, int counter) {
    writer.pushOk(token, batch(device, "task", task(id, clock(device, counter), "title " + counter)));
  }

  @Test
  @DisplayName("a push through one gateway pokes a stream on the other within 1 s, with the types it wrote")
  void pushThroughAnotherProcessPokes() {
    String phone = uniqueId("phone");
    try (SseClient stream = stream("?deviceId=" + uniqueId("laptop"))) {
      assertThat(stream.header("Content-Type")).startsWith("text/event-stream");
      assertThat(stream.header("Cache-Control")).isEqualTo("no-cache");
      assertThat(stream.header("X-Accel-Buffering")).isEqualTo("no");
      long before = System.currentTimeMillis();

      pushTask(phone, "t1", 1);

      Event event = stream.nextEvent(WITHIN_CONTRACT);
      assertThat(event).isNotNull();
      assertThat(event.name()).isEqualTo("changes");
      JsonObject data = new JsonObject(event.data());
      assertThat(data.getJsonArray("types")).containsExactly("task");
      assertThat(data.getLong("timestamp")).isGreaterThanOrEqualTo(before - 1000);
    }
  }

  @Test
  @DisplayName("HEAD answers the head a stream opens with, and opens no stream (A.13)")
  void headOpensNoStream() {
    HttpResponse<Buffer> head = reader.client().request(HttpMethod.HEAD, "/api/sync/events?deviceId=" + uniqueId("laptop"))
        .putHeader("Authorization", "Bearer " + token).send().await();

    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.getHeader("Content-Type")).startsWith("text/event-stream");
    assertThat(head.body()).isNull();
  }

  @Test
  @DisplayName("a device's own pushes are not announced to it; another device's are")
  void ownPushesDoNotPoke() {
    String phone = uniqueId("phone");
    try (SseClient stream = stream("?deviceId=" + phone)) {
      pushTask(phone, "t1", 1);
      assertThat(stream.nextEvent(QUIET)).isNull();

      pushTask(uniqueId("tablet"), "t2", 1);
      assertThat(stream.nextEvent(WITHIN_CONTRACT)).extracting(Event::name).isEqualTo("changes");
    }
  }

  @Test
  @DisplayName("a push that writes nothing (a replayed item, a rejected comment) pokes nobody")
  void pushWritingNothingDoesNotPoke() {
    String phone = uniqueId("phone");
    try (SseClient stream = stream("?deviceId=" + uniqueId("laptop"))) {
      pushTask(phone, "t1", 1);
      // The first push's notice reaches the stream after its response: take it before going on.
      assertThat(stream.nextEvent(WITHIN_CONTRACT)).extracting(Event::name).isEqualTo("changes");

      pushTask(phone, "t1", 1);
      writer.pushOk(token, batch(phone, "comment", comment("c1", "no-such-task", clock(phone, 1), "orphan")));

      assertThat(stream.nextEvent(QUIET)).isNull();
    }
  }

  @Test
  @DisplayName("a push rolled back (abandoned while a lock holds it) pokes nobody: NOTIFY is sent only on commit")
  void rolledBackPushDoesNotPoke() throws Exception {
    try (SseClient stream = stream("?deviceId=" + uniqueId("laptop"));
        Connection blocker = DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password())) {
      blocker.setAutoCommit(false);
      try (Statement lock = blocker.createStatement()) {
        lock.execute("LOCK TABLE tasks IN SHARE MODE");
      }
      String phone = uniqueId("phone");
      int status = writer.pushAsync(token, batch(phone, "task", task("t1", clock(phone, 1), "never")))
          .await().statusCode();
      blocker.rollback();

      assertThat(status).isEqualTo(503);
      assertThat(stream.nextEvent(QUIET)).isNull();
      awaitDatabaseReady(writer);
      assertThat(writer.getOk(token, "/api/sync/pull").getJsonArray("tasks")).isEmpty();
    }
  }

  /** The abandoned push's lost connection opened the writer's circuit breaker: wait until it closes again. */
  private static void awaitDatabaseReady(GatewayHarness gateway) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (gateway.get(null, "/health/ready").statusCode() != 200 && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
  }

  @Test
  @DisplayName("types filters what is announced: a stream of comments is not poked by a task")
  void typesFilter() {
    String phone = uniqueId("phone");
    try (SseClient stream = stream("?types=comments")) {
      pushTask(phone, "t1", 1);
      assertThat(stream.nextEvent(QUIET)).isNull();

      writer.pushOk(token, batch(phone, "task", task("t2", clock(phone, 2), "with comment"),
          "comment", comment("c1", "t2", clock(phone, 3), "hello")));
      Event event = stream.nextEvent(WITHIN_CONTRACT);
      assertThat(new JsonObject(event.data()).getJsonArray("types")).containsExactly("comment");
    }
  }

  @Test
  @DisplayName("an unknown type is 400 unknown_entity_type; an unknown parameter 400 invalid_request")
  void badQueries() {
    try (SseClient unknownType = SseClient.open(reader.gateway().httpPort(), "/api/sync/events?types=notes", token);
        SseClient unknownParameter = SseClient.open(reader.gateway().httpPort(), "/api/sync/events?since=0", token)) {
      assertThat(unknownType.status()).isEqualTo(400);
      assertThat(unknownType.body()).contains("unknown_entity_type");
      assertThat(unknownParameter.status()).isEqualTo(400);
      assertThat(unknownParameter.body()).contains("invalid_request");
    }
  }

  @Test
  @DisplayName("a comment line ': ping' arrives every ping interval")
  void pings() {
    try (SseClient stream = stream("")) {
      assertThat(stream.nextComment(Duration.ofSeconds(1))).isEqualTo("connected");
      assertThat(stream.nextComment(Duration.ofSeconds(2))).isEqualTo("ping");
    }
  }

  @Test
  @DisplayName("over the streams-per-user cap: 503 overloaded with Retry-After")
  void perUserCap() {
    try (SseClient first = stream(""); SseClient second = stream("");
        SseClient third = SseClient.open(reader.gateway().httpPort(), "/api/sync/events", token)) {
      assertThat(third.status()).isEqualTo(503);
      assertThat(third.header("Retry-After")).isNotNull();
      assertThat(third.body()).contains("overloaded");
    }
    // Closed streams give their places back.
    assertThat(stream("")).isNotNull().satisfies(SseClient::close);
  }

  @Test
  @DisplayName("the token may come as access_token (for EventSource), and never appears in the logs")
  void accessTokenQuery() {
    ListAppender<ILoggingEvent> captured = new ListAppender<>();
    Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
    Logger requests = (Logger) LoggerFactory.getLogger("sync.requests");
    Level requestsLevel = requests.getLevel();
    requests.setLevel(Level.DEBUG);
    captured.start();
    root.addAppender(captured);
    String tokenQueryOnPull;
    try {
      try (SseClient stream = SseClient.open(reader.gateway().httpPort(),
          "/api/sync/events?access_token=" + token + "&deviceId=" + uniqueId("browser"), null)) {
        assertThat(stream.status()).isEqualTo(200);
        pushTask(uniqueId("phone"), "t1", 1);
        assertThat(stream.nextEvent(WITHIN_CONTRACT)).extracting(Event::name).isEqualTo("changes");
      }
      tokenQueryOnPull = reader.get(null, "/api/sync/pull?access_token=" + token).bodyAsString();
      awaitRequestLogged(captured, "/api/sync/events");
    } finally {
      root.detachAppender(captured);
      requests.setLevel(requestsLevel);
    }

    assertThat(tokenQueryOnPull).as("only the stream takes a token from the query").contains("unauthorized");
    assertThat(captured.list).isNotEmpty().allSatisfy(event -> assertThat(event.getFormattedMessage()
        + event.getKeyValuePairs()).doesNotContain(token));
  }

  /** A stream's request line is logged when the gateway sees its connection close: a moment after the client closed it. */
  private static void awaitRequestLogged(ListAppender<ILoggingEvent> captured, String path) {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (System.nanoTime() < deadline && List.copyOf(captured.list).stream()
        .noneMatch(event -> event.getLoggerName().equals("sync.requests") && event.getKeyValuePairs() != null
            && event.getKeyValuePairs().toString().contains(path))) {
      Thread.onSpinWait();
    }
    assertThat(List.copyOf(captured.list)).anySatisfy(event -> assertThat(event.getKeyValuePairs()).isNotNull()
        .map(Object::toString).anySatisfy(pair -> assertThat(pair).contains(path)));
  }

  @Test
  @DisplayName("when the token expires: event: reauthenticate, then the stream ends")
  void expiryEndsTheStream() {
    Vertx vertx = Vertx.vertx();
    try {
      String shortLived = new TokenService(vertx, GatewayHarness.SECRET).issue("bob", org, Role.MEMBER, 2);
      try (SseClient stream = SseClient.open(reader.gateway().httpPort(), "/api/sync/events", shortLived)) {
        assertThat(stream.status()).isEqualTo(200);
        Event event = stream.nextEvent(Duration.ofSeconds(5));
        assertThat(event.name()).isEqualTo("reauthenticate");
        assertThat(stream.nextEvent(Duration.ofSeconds(2)).name()).isEqualTo(SseClient.END);
      }
    } finally {
      vertx.close().await();
    }
  }

  @Test
  @DisplayName("a client that accepts gzip still gets every event at once, uncompressed")
  void notCompressed() {
    try (SseClient stream = SseClient.open(reader.gateway().httpPort(), "/api/sync/events", token,
        Map.of("Accept-Encoding", "gzip"))) {
      assertThat(stream.status()).isEqualTo(200);
      assertThat(stream.header("Content-Encoding")).isIn(null, "identity");
      pushTask(uniqueId("phone"), "t1", 1);

      assertThat(stream.nextEvent(WITHIN_CONTRACT)).extracting(Event::name).isEqualTo("changes");
    }
  }

  @Test
  @DisplayName("after the listening connection is lost, it reconnects and pokes every stream once")
  void listenerReconnects() throws Exception {
    try (SseClient stream = stream("?types=tasks");
        Connection admin = DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
        Statement kill = admin.createStatement()) {
      kill.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
          + " WHERE datname = current_database() AND query ILIKE 'LISTEN%'");

      Event event = stream.nextEvent(Duration.ofSeconds(5));
      assertThat(event.name()).isEqualTo("changes");
      assertThat(new JsonObject(event.data()).getJsonArray("types")).containsExactly("task");
      pushTask(uniqueId("phone"), "t1", 1);
      assertThat(stream.nextEvent(WITHIN_CONTRACT)).as("listening again").extracting(Event::name)
          .isEqualTo("changes");
    }
  }

  @Test
  @DisplayName("shutdown ends every stream at once instead of waiting out the grace period for them")
  void shutdownEndsStreams() {
    GatewayHarness stopping = GatewayHarness.start(database, Map.of(Setting.SHUTDOWN_GRACE_MS, 10_000L));
    SseClient stream = SseClient.open(stopping.gateway().httpPort(), "/api/sync/events", token);
    assertThat(stream.status()).isEqualTo(200);
    long started = System.nanoTime();

    stopping.close();

    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
    assertThat(stream.nextEvent(Duration.ofSeconds(2)).name()).isEqualTo(SseClient.END);
    stream.close();
  }
}
