package io.syncgateway.contract;

import static io.syncgateway.testsupport.Changes.attachment;
import static io.syncgateway.testsupport.Changes.batch;
import static io.syncgateway.testsupport.Changes.clock;
import static io.syncgateway.testsupport.Changes.comment;
import static io.syncgateway.testsupport.Changes.delete;
import static io.syncgateway.testsupport.Changes.task;
import static io.syncgateway.testsupport.Changes.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;

import io.syncgateway.auth.Role;
import io.syncgateway.config.Setting;
import io.syncgateway.testsupport.Encodings;
import io.syncgateway.testsupport.Eventually;
import io.syncgateway.testsupport.GatewayHarness;
import io.syncgateway.testsupport.SseClient;
import io.syncgateway.testsupport.TestDatabase;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Real answers of a running gateway, for every endpoint, success and each problem it can give,
 * checked against docs/openapi.json: the status is documented for the operation, the media type too,
 * the required headers are there and the body is valid against the schema. Each test also asserts
 * the status and code it provokes, so that a test cannot pass by provoking something else.
 */
class OpenApiConformanceTest {
  private static final String ORG = "org-openapi";
  private static final int BODY_LIMIT = 64 * 1024;
  private static final int ITEM_LIMIT = 5;

  private static GatewayHarness gateway;
  private static Vertx vertx;
  private static OpenApiDescription description;
  private static String member;

  @BeforeAll
  static void start() {
    gateway = GatewayHarness.start(TestDatabase.freshDatabase("openapi"), Map.of(
        Setting.MAX_BODY_BYTES, BODY_LIMIT,
        Setting.MAX_BATCH_ITEMS, ITEM_LIMIT,
        Setting.LIVE_MAX_STREAMS_PER_USER, 1));
    vertx = Vertx.vertx();
    description = OpenApiDescription.load(vertx);
    member = gateway.token("u-member", ORG);
  }

  @AfterAll
  static void stop() {
    gateway.close();
    vertx.close().await();
  }

  // ---- push ------------------------------------------------------------------------------------

  @Test
  void processedPushWithEveryOutcomeMatchesPushResponse() {
    String device = uniqueId("dev");
    String newer = uniqueId("t");
    String contested = uniqueId("t");
    gateway.pushOk(member, batch(device, "task", task(newer, clock(device, 2), "newer"),
        "task", task(contested, clock(device, 1), "contested")));

    Answer answer = push(member, batch(uniqueId("other"),
        "task", task(newer, clock(device, 1), "older"),
        "task", task(contested, clock("elsewhere", 1), "concurrent"),
        "task", task(uniqueId("t"), clock("elsewhere", 1), "fresh"),
        "comment", comment(uniqueId("c"), "no-such-task", clock("elsewhere", 1), "orphan")));

    assertThat(answer.status()).as("%s", answer).isEqualTo(200);
    JsonObject body = new JsonObject(answer.body());
    assertThat(body.getJsonArray("conflicts")).hasSize(1);
    assertThat(body.getJsonArray("superseded")).hasSize(1);
    assertThat(body.getJsonArray("rejected")).hasSize(1);
    assertConforms(HttpMethod.POST, "/api/sync/push", answer);
  }

  @Test
  void conflictWithTombstoneMatchesDeletedVersion() {
    String device = uniqueId("dev");
    String id = uniqueId("t");
    gateway.pushOk(member, batch(device, "task", task(id, clock(device, 1), "doomed")));
    gateway.pushOk(member, batch(device, "task", delete(id, clock(device, 2))));

    Answer answer = push(member, batch(uniqueId("other"), "task", task(id, clock("elsewhere", 1), "edited offline")));

    assertThat(new JsonObject(answer.body()).getJsonArray("conflicts").getJsonObject(0)
        .getJsonObject("serverVersion").getBoolean("deleted")).isTrue();
    assertConforms(HttpMethod.POST, "/api/sync/push", answer);
  }

  @Test
  void pushWithoutChangesIsInvalidRequest() {
    assertProblem(HttpMethod.POST, "/api/sync/push",
        push(member, new JsonObject().put("deviceId", uniqueId("dev"))), 400, "invalid_request");
  }

  @Test
  void pushOfUnknownTypeIsUnknownEntityType() {
    assertProblem(HttpMethod.POST, "/api/sync/push",
        push(member, batch(uniqueId("dev"), "project", new JsonObject().put("id", "p1"))), 400, "unknown_entity_type");
  }

  @Test
  void pushThatDoesNotInflateIsBadEncoding() {
    Answer answer = pushBytes(member, Encodings.utf8("not gzip at all"), "application/json", "gzip");
    assertProblem(HttpMethod.POST, "/api/sync/push", answer, 400, "bad_encoding");
  }

  @Test
  void pushWithoutTokenIsUnauthorized() {
    assertProblem(HttpMethod.POST, "/api/sync/push", push(null, batch(uniqueId("dev"))), 401, "unauthorized");
  }

  @Test
  void pushByViewerIsForbidden() {
    String viewer = gateway.token("u-viewer", ORG, Role.VIEWER);
    assertProblem(HttpMethod.POST, "/api/sync/push", push(viewer, batch(uniqueId("dev"))), 403, "forbidden");
  }

  @Test
  void pushFromAnotherUsersDeviceIsDeviceOwnedByOtherUser() {
    String device = uniqueId("dev");
    gateway.pushOk(member, batch(device));
    Answer answer = push(gateway.token("u-intruder", ORG), batch(device));
    assertProblem(HttpMethod.POST, "/api/sync/push", answer, 403, "device_owned_by_other_user");
  }

  @Test
  void pushOverTheBodyLimitIsPayloadTooLarge() {
    byte[] body = Encodings.utf8(batch(uniqueId("dev")).put("padding", "x".repeat(BODY_LIMIT)).encode());
    assertProblem(HttpMethod.POST, "/api/sync/push", pushBytes(member, body, "application/json", null),
        413, "payload_too_large");
  }

  @Test
  void pushOverTheItemLimitIsTooManyItems() {
    Object[] items = new Object[2 * (ITEM_LIMIT + 1)];
    for (int i = 0; i < ITEM_LIMIT + 1; i++) {
      items[2 * i] = "task";
      items[2 * i + 1] = task(uniqueId("t"), clock("d", 1), "one too many");
    }
    assertProblem(HttpMethod.POST, "/api/sync/push", push(member, batch(uniqueId("dev"), items)),
        413, "too_many_items");
  }

  @Test
  void pushInAnUnknownEncodingIsUnsupportedEncoding() {
    Answer answer = pushBytes(member, Encodings.utf8(batch(uniqueId("dev")).encode()), "application/json", "br");
    assertProblem(HttpMethod.POST, "/api/sync/push", answer, 415, "unsupported_encoding");
  }

  @Test
  void pushThatIsNotJsonIsUnsupportedMediaType() {
    Answer answer = pushBytes(member, Encodings.utf8(batch(uniqueId("dev")).encode()), "text/plain", null);
    assertProblem(HttpMethod.POST, "/api/sync/push", answer, 415, "unsupported_media_type");
  }

  // ---- pull ------------------------------------------------------------------------------------

  @Test
  void pullPageWithEveryKindOfItemMatchesPullResponse() {
    String device = uniqueId("dev");
    String kept = uniqueId("t");
    String deleted = uniqueId("t");
    gateway.pushOk(member, batch(device, "task", task(kept, clock(device, 1), "kept"),
        "task", task(deleted, clock(device, 1), "deleted"),
        "comment", comment(uniqueId("c"), kept, clock(device, 1), "a comment"),
        "attachment", attachment(uniqueId("a"), kept, clock(device, 1), "file.pdf")));
    gateway.pushOk(member, batch(device, "task", delete(deleted, clock(device, 2))));

    Answer answer = get(member, "/api/sync/pull?limit=1000");

    JsonObject page = new JsonObject(answer.body());
    for (String array : new String[] {"tasks", "comments", "attachments", "tombstones"}) {
      assertThat(page.getJsonArray(array)).as(array).isNotEmpty();
    }
    assertConforms(HttpMethod.GET, "/api/sync/pull", answer);
  }

  @ParameterizedTest
  @ValueSource(strings = {"tasks", "comments", "attachments"})
  void pullOfOneTypeMatchesPullResponse(String plural) {
    Answer answer = get(member, "/api/sync/pull/" + plural);
    assertThat(answer.status()).isEqualTo(200);
    assertConforms(HttpMethod.GET, "/api/sync/pull/" + plural, answer);
  }

  @Test
  void pullWithLimitOutOfRangeIsInvalidRequest() {
    assertProblem(HttpMethod.GET, "/api/sync/pull", get(member, "/api/sync/pull?limit=0"), 400, "invalid_request");
  }

  @Test
  void pullWithForgedCursorIsInvalidCursor() {
    assertProblem(HttpMethod.GET, "/api/sync/pull", get(member, "/api/sync/pull?since=forged"), 400, "invalid_cursor");
  }

  @Test
  void pullOfUnknownTypeIsUnknownEntityType() {
    assertProblem(HttpMethod.GET, "/api/sync/pull", get(member, "/api/sync/pull?types=project"),
        400, "unknown_entity_type");
  }

  @Test
  void pullWithoutTokenIsUnauthorized() {
    assertProblem(HttpMethod.GET, "/api/sync/pull/tasks", get(null, "/api/sync/pull/tasks"), 401, "unauthorized");
  }

  @Test
  void pullAsAnotherUsersDeviceIsDeviceOwnedByOtherUser() {
    String device = uniqueId("dev");
    gateway.pushOk(member, batch(device));
    Answer answer = get(gateway.token("u-intruder", ORG), "/api/sync/pull?deviceId=" + device);
    assertProblem(HttpMethod.GET, "/api/sync/pull", answer, 403, "device_owned_by_other_user");
  }

  @Test
  void pullSinceBeforeTheHorizonIsResyncRequired() {
    assertProblem(HttpMethod.GET, "/api/sync/pull", get(member, "/api/sync/pull?since=1"), 410, "resync_required");
  }

  // ---- live updates ----------------------------------------------------------------------------

  @Test
  void liveStreamIsAnEventStream() {
    try (SseClient stream = SseClient.open(gateway.gateway().httpPort(), "/api/sync/events", member)) {
      assertThat(stream.status()).isEqualTo(200);
      assertConforms(HttpMethod.GET, "/api/sync/events", streamHead(stream));
    }
  }

  @Test
  void liveStreamOfUnknownTypeIsUnknownEntityType() {
    try (SseClient stream = SseClient.open(gateway.gateway().httpPort(), "/api/sync/events?types=project", member)) {
      assertProblem(HttpMethod.GET, "/api/sync/events", streamAnswer(stream), 400, "unknown_entity_type");
    }
  }

  @Test
  void liveStreamWithoutTokenIsUnauthorized() {
    try (SseClient stream = SseClient.open(gateway.gateway().httpPort(), "/api/sync/events", null)) {
      assertProblem(HttpMethod.GET, "/api/sync/events", streamAnswer(stream), 401, "unauthorized");
    }
  }

  @Test
  void liveStreamOverTheUserCapIsOverloaded() {
    String user = gateway.token("u-streams", ORG);
    int port = gateway.gateway().httpPort();
    try (SseClient first = SseClient.open(port, "/api/sync/events", user);
         SseClient second = SseClient.open(port, "/api/sync/events", user)) {
      assertThat(first.status()).isEqualTo(200);
      assertProblem(HttpMethod.GET, "/api/sync/events", streamAnswer(second), 503, "overloaded");
    }
  }

  // ---- tasks -----------------------------------------------------------------------------------

  @Test
  void existingTaskAndItsCommentsMatchTheirSchemas() {
    String device = uniqueId("dev");
    String id = uniqueId("t");
    JsonObject full = task(id, clock(device, 1), "full").put("description", "d").put("status", "open")
        .put("assignedTo", "u-member").put("dueDate", 1_800_000_000_000L).put("completedAt", null)
        .put("tags", new io.vertx.core.json.JsonArray().add("a")).put("customFields", new JsonObject().put("k", 1))
        .put("position", 1.5);
    gateway.pushOk(member, batch(device, "task", full, "comment", comment(uniqueId("c"), id, clock(device, 1), "hi")));

    assertConforms(HttpMethod.GET, "/api/tasks/{id}", expect(200, get(member, "/api/tasks/" + id)));
    assertConforms(HttpMethod.GET, "/api/tasks/{id}/comments", expect(200, get(member, "/api/tasks/" + id + "/comments")));
  }

  @Test
  void unknownTaskIsNotFound() {
    assertProblem(HttpMethod.GET, "/api/tasks/{id}", get(member, "/api/tasks/no-such-task"), 404, "not_found");
    assertProblem(HttpMethod.GET, "/api/tasks/{id}/comments", get(member, "/api/tasks/no-such-task/comments"),
        404, "not_found");
  }

  @Test
  void taskWithoutTokenIsUnauthorized() {
    assertProblem(HttpMethod.GET, "/api/tasks/{id}", get(null, "/api/tasks/t1"), 401, "unauthorized");
  }

  // ---- operations ------------------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(strings = {"/health/live", "/health/ready", "/metrics", "/openapi.json"})
  void operationsEndpointsAnswerWithoutToken(String path) {
    assertConforms(HttpMethod.GET, path, expect(200, get(null, path)));
  }

  @Test
  void servedDescriptionIsTheOneInDocs() {
    assertThat(get(null, "/openapi.json").body()).isEqualTo(OpenApiDescription.read(OpenApiDescription.FILE));
  }

  @ParameterizedTest
  @ValueSource(strings = {"/api/sync/pull", "/api/sync/pull/tasks", "/health/live", "/metrics", "/openapi.json"})
  void headAnswersLikeGetWithoutBody(String path) {
    HttpRequest<Buffer> request = gateway.client().head(path).putHeader("Authorization", "Bearer " + member);
    Answer answer = Answer.of(request.send().await());
    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.body().length()).isZero();
    assertConforms(HttpMethod.HEAD, path, answer);
  }

  @Test
  void unknownPathIsNotFound() {
    Answer answer = get(member, "/api/no-such-thing");
    assertThat(answer.code()).isEqualTo("not_found");
    assertThat(description.violationsOfShared("NotFound", answer)).isEmpty();
  }

  // ---- admin -----------------------------------------------------------------------------------

  @Test
  void adminDevicesMatchAdminDeviceList() {
    String device = uniqueId("dev");
    gateway.pushOk(member, batch(device, "task", task(uniqueId("t"), clock(device, 1), "seen")));
    Eventually.until(() -> new JsonObject(get(admin(), "/api/admin/devices").body()).getJsonArray("devices").stream()
        .anyMatch(entry -> device.equals(((JsonObject) entry).getString("deviceId"))));

    assertConforms(HttpMethod.GET, "/api/admin/devices", expect(200, get(admin(), "/api/admin/devices?limit=10")));
  }

  @Test
  void adminSyncLogAndStatsMatchTheirSchemas() {
    String device = uniqueId("dev");
    push(member, batch(device, "comment", comment(uniqueId("c"), "no-such-task", clock(device, 1), "orphan")));
    Eventually.until(() -> !new JsonObject(get(admin(), "/api/admin/sync-log?deviceId=" + device).body())
        .getJsonArray("entries").isEmpty());

    assertConforms(HttpMethod.GET, "/api/admin/sync-log",
        expect(200, get(admin(), "/api/admin/sync-log?deviceId=" + device + "&kind=push&limit=5")));
    assertConforms(HttpMethod.GET, "/api/admin/stats", expect(200, get(admin(), "/api/admin/stats?windowMs=3600000")));
  }

  @Test
  void forcedResyncMatchesResyncOrdered() {
    String device = uniqueId("dev");
    gateway.pushOk(member, batch(device, "task", task(uniqueId("t"), clock(device, 1), "to resync")));
    String path = "/api/admin/devices/{id}/resync";

    Eventually.until(() -> post(admin(), "/api/admin/devices/" + device + "/resync").status() == 200);
    assertConforms(HttpMethod.POST, path, expect(200, post(admin(), "/api/admin/devices/" + device + "/resync")));
    assertProblem(HttpMethod.POST, path, post(admin(), "/api/admin/devices/no-such-device/resync"), 404, "not_found");
  }

  @Test
  void adminEndpointsRefuseOtherRolesAndBadParameters() {
    assertProblem(HttpMethod.GET, "/api/admin/devices", get(member, "/api/admin/devices"), 403, "forbidden");
    assertProblem(HttpMethod.GET, "/api/admin/stats", get(admin(), "/api/admin/stats?windowMs=0"), 400, "invalid_request");
    assertProblem(HttpMethod.GET, "/api/admin/sync-log", get(admin(), "/api/admin/sync-log?kind=both"), 400,
        "invalid_request");
    assertProblem(HttpMethod.GET, "/api/admin/devices", get(null, "/api/admin/devices"), 401, "unauthorized");
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private static Answer push(String token, JsonObject body) {
    return Answer.of(gateway.push(token, body));
  }

  private static Answer pushBytes(String token, byte[] body, String contentType, String contentEncoding) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("Content-Type", contentType);
    if (contentEncoding != null) {
      headers.add("Content-Encoding", contentEncoding);
    }
    return Answer.of(gateway.pushBytes(token, body, headers));
  }

  private static Answer get(String token, String pathAndQuery) {
    return Answer.of(gateway.get(token, pathAndQuery));
  }

  private static Answer post(String token, String path) {
    return Answer.of(gateway.client().post(path).putHeader("Authorization", "Bearer " + token).send().await());
  }

  private static String admin() {
    return gateway.token("u-admin", ORG, Role.ADMIN);
  }

  private static Answer expect(int status, Answer answer) {
    assertThat(answer.status()).as("%s", answer).isEqualTo(status);
    return answer;
  }

  /** The head of an open stream (its body never ends). */
  private static Answer streamHead(SseClient stream) {
    return new Answer(stream.status(), headersOf(stream), Buffer.buffer());
  }

  /** A refused stream: a complete answer. */
  private static Answer streamAnswer(SseClient stream) {
    return new Answer(stream.status(), headersOf(stream),
        Buffer.buffer(stream.body() == null ? "" : stream.body(), StandardCharsets.UTF_8.name()));
  }

  private static MultiMap headersOf(SseClient stream) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    for (String name : new String[] {"Content-Type", "X-Request-Id", "Retry-After"}) {
      if (stream.header(name) != null) {
        headers.add(name, stream.header(name));
      }
    }
    return headers;
  }

  private static void assertProblem(HttpMethod method, String path, Answer answer, int status, String code) {
    assertThat(answer.status()).as("%s", answer).isEqualTo(status);
    assertThat(answer.code()).as("%s", answer).isEqualTo(code);
    assertConforms(method, path, answer);
  }

  private static void assertConforms(HttpMethod method, String path, Answer answer) {
    assertThat(description.violations(method, path, answer)).as("%s %s answered %s", method, path, answer).isEmpty();
  }
}
