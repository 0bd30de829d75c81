package io.syncgateway.http;

import static io.syncgateway.testsupport.Changes.batch;
import static io.syncgateway.testsupport.Changes.clock;
import static io.syncgateway.testsupport.Changes.comment;
import static io.syncgateway.testsupport.Changes.task;
import static io.syncgateway.testsupport.Changes.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;

import io.syncgateway.testsupport.Encodings;
import io.syncgateway.auth.Role;
import io.syncgateway.testsupport.GatewayHarness;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("HTTP contract: every refusal is a problem+json with the right status and code, and changes nothing")
class HttpContractTest {
  private static final String OTHER_SECRET = "another-secret-that-is-long-enough-0123456789";
  private static final int MIB = 1024 * 1024;
  @RegisterExtension
  static final GatewayHarness gateway = GatewayHarness.perClass("http_contract");
  private static byte[] gzipBomb;
  private static byte[] deflateBomb;

  private String org;
  private String token;
  private String device;

  @BeforeAll
  static void compressBombs() {
    // 64 MB of the same byte compress to ~64 KB: far under the 4 MiB wire limit, far over 16 MiB decoded.
    gzipBomb = compressedZeros(64, true);
    deflateBomb = compressedZeros(64, false);
  }

  /** Each test gets its own organization holding one task, and a device bound to alice. */
  @BeforeEach
  void freshOrganizationWithOneTask() {
    org = uniqueId("org");
    token = gateway.token("alice", org);
    device = uniqueId("dev");
    gateway.pushOk(token, batch(device, "task", task("seed", clock(device, 1), "Seed")));
  }

  // ---------------------------------------------------------------------------------------------
  // Authentication
  // ---------------------------------------------------------------------------------------------

  /** Authorization header values (null: no header) that must all be refused 401. */
  static Stream<Named<Function<String, String>>> badAuthorizations() {
    long now = System.currentTimeMillis() / 1000;
    return Stream.of(
        Named.of("no Authorization header", o -> null),
        Named.of("empty bearer", o -> "Bearer "),
        Named.of("Basic scheme", o -> "Basic YWxpY2U6c2VjcmV0"),
        Named.of("token without scheme", o -> hs256(GatewayHarness.SECRET, claims(o, "member", now + 3600))),
        Named.of("malformed token", o -> "Bearer not-a-jwt"),
        Named.of("three garbage segments", o -> "Bearer aaaa.bbbb.cccc"),
        Named.of("wrong signature (signature bytes altered)",
            o -> "Bearer " + alterSignature(hs256(GatewayHarness.SECRET, claims(o, "member", now + 3600)))),
        Named.of("claims altered after signing",
            o -> "Bearer " + swapClaims(hs256(GatewayHarness.SECRET, claims("other-org", "member", now + 3600)), claims(o, "admin", now + 3600))),
        Named.of("expired token", o -> "Bearer " + hs256(GatewayHarness.SECRET, claims(o, "member", now - 3600))),
        Named.of("unknown role", o -> "Bearer " + hs256(GatewayHarness.SECRET, claims(o, "owner", now + 3600))),
        Named.of("role in the wrong case", o -> "Bearer " + hs256(GatewayHarness.SECRET, claims(o, "Admin", now + 3600))),
        Named.of("non-string role", o -> "Bearer " + hs256(GatewayHarness.SECRET, claims(o, "member", now + 3600).put("role", 1))),
        Named.of("signed with another secret", o -> "Bearer " + hs256(OTHER_SECRET, claims(o, "member", now + 3600))),
        Named.of("alg none, no signature", o -> "Bearer " + unsigned(claims(o, "admin", now + 3600))),
        Named.of("alg none, with a signature", o -> "Bearer " + unsigned(claims(o, "admin", now + 3600)) + "c2ln"),
        Named.of("HS512 with the right secret",
            o -> "Bearer " + jwt("HS512", GatewayHarness.SECRET, claims(o, "member", now + 3600))),
        Named.of("HS384 with the right secret",
            o -> "Bearer " + jwt("HS384", GatewayHarness.SECRET, claims(o, "member", now + 3600))),
        Named.of("missing sub", o -> "Bearer " + hs256(GatewayHarness.SECRET, claims(o, "member", now + 3600).put("sub", null))),
        Named.of("missing org", o -> "Bearer " + hs256(GatewayHarness.SECRET, claims(o, "member", now + 3600).put("org", null))),
        Named.of("empty sub", o -> "Bearer " + hs256(GatewayHarness.SECRET, claims(o, "member", now + 3600).put("sub", ""))),
        Named.of("sub longer than 128", o -> "Bearer " + hs256(GatewayHarness.SECRET, claims(o, "member", now + 3600)
            .put("sub", "u".repeat(129)))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badAuthorizations")
  @DisplayName("a push with a missing or bad token is 401 unauthorized and applies nothing")
  void badTokenIsRefusedOnPush(Function<String, String> authorization) {
    assertRefusedWithoutEffect(() -> send(HttpMethod.POST, "/api/sync/push", authorization.apply(org),
        jsonHeaders().add("Content-Encoding", "gzip"), Encodings.gzip(bytes(probeBatch()))), 401, "unauthorized");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badAuthorizations")
  @DisplayName("a pull with a missing or bad token is 401 unauthorized")
  void badTokenIsRefusedOnPull(Function<String, String> authorization) {
    assertProblem(send(HttpMethod.GET, "/api/sync/pull?since=0", authorization.apply(org),
        MultiMap.caseInsensitiveMultiMap(), null), 401, "unauthorized");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badAuthorizations")
  @DisplayName("GET /api/tasks/{id} with a missing or bad token is 401 unauthorized, never the task")
  void badTokenIsRefusedOnTaskRead(Function<String, String> authorization) {
    assertProblem(send(HttpMethod.GET, "/api/tasks/seed", authorization.apply(org),
        MultiMap.caseInsensitiveMultiMap(), null), 401, "unauthorized");
  }

  @Test
  @DisplayName("a hand-crafted HS256 token with the right secret and claims is accepted (control for the 401 table)")
  void handCraftedHs256TokenIsAccepted() {
    long now = System.currentTimeMillis() / 1000;
    String authorization = "Bearer " + hs256(GatewayHarness.SECRET, claims(org, "member", now + 3600));

    HttpResponse<Buffer> response = send(HttpMethod.POST, "/api/sync/push", authorization,
        jsonHeaders(), bytes(probeBatch()));

    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    assertThat(gateway.get(token, "/api/tasks/probe").statusCode()).isEqualTo(200);
  }

  @Test
  @DisplayName("a token without a role claim is a member: it may push")
  void tokenWithoutRoleIsMember() {
    long now = System.currentTimeMillis() / 1000;
    JsonObject claims = claims(org, "member", now + 3600);
    claims.remove("role");

    HttpResponse<Buffer> response = send(HttpMethod.POST, "/api/sync/push", "Bearer " + hs256(GatewayHarness.SECRET, claims),
        jsonHeaders(), bytes(probeBatch()));

    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
  }

  @Test
  @DisplayName("the bearer scheme is case-insensitive")
  void bearerSchemeIsCaseInsensitive() {
    HttpResponse<Buffer> response = send(HttpMethod.GET, "/api/sync/pull", "bearer " + token,
        MultiMap.caseInsensitiveMultiMap(), null);

    assertThat(response.statusCode()).isEqualTo(200);
  }

  // ---------------------------------------------------------------------------------------------
  // Permissions and devices
  // ---------------------------------------------------------------------------------------------

  @Test
  @DisplayName("a viewer's push is 403 forbidden and applies nothing")
  void viewerMayNotPush() {
    String viewer = gateway.token("victor", org, Role.VIEWER);

    assertRefusedWithoutEffect(() -> gateway.push(viewer, batch(uniqueId("dev-v"), "task",
        task("probe", clock("v", 1), "Probe"))), 403, "forbidden");
  }

  @Test
  @DisplayName("a viewer may pull: 200 with the organization's tasks")
  void viewerMayPull() {
    String viewer = gateway.token("victor", org, Role.VIEWER);

    JsonObject page = gateway.getOk(viewer, "/api/sync/pull?since=0&deviceId=" + uniqueId("dev-v"));

    assertThat(ids(page.getJsonArray("tasks"))).containsExactly("seed");
  }

  @Test
  @DisplayName("a device bound to another user: push is 403 device_owned_by_other_user and applies nothing")
  void deviceOfAnotherUserCannotPush() {
    String bob = gateway.token("bob", org);

    assertRefusedWithoutEffect(() -> gateway.push(bob, probeBatch()), 403, "device_owned_by_other_user");
  }

  @Test
  @DisplayName("a device bound to another user: pull naming it in the query is 403 device_owned_by_other_user")
  void deviceOfAnotherUserCannotPullByQuery() {
    String bob = gateway.token("bob", org);

    assertProblem(gateway.get(bob, "/api/sync/pull?since=0&deviceId=" + device), 403, "device_owned_by_other_user");
  }

  @Test
  @DisplayName("a device bound to another user: pull naming it in X-Device-Id is 403 device_owned_by_other_user")
  void deviceOfAnotherUserCannotPullByHeader() {
    String bob = gateway.token("bob", org);

    assertProblem(send(HttpMethod.GET, "/api/sync/pull?since=0", "Bearer " + bob,
        MultiMap.caseInsensitiveMultiMap().add("X-Device-Id", device), null), 403, "device_owned_by_other_user");
  }

  @Test
  @DisplayName("the same user in another organization cannot use a bound device: 403 device_owned_by_other_user")
  void deviceIsBoundToTheOrganizationToo() {
    String aliceElsewhere = gateway.token("alice", uniqueId("org-other"));

    assertRefusedWithoutEffect(() -> gateway.push(aliceElsewhere, probeBatch()), 403, "device_owned_by_other_user");
  }

  @Test
  @DisplayName("a device first named by a pull is bound by it: another user's push with it is 403")
  void pullBindsTheDevice() {
    String fresh = uniqueId("dev-pull-first");
    gateway.getOk(token, "/api/sync/pull?deviceId=" + fresh);
    String bob = gateway.token("bob", org);

    assertRefusedWithoutEffect(() -> gateway.push(bob, batch(fresh, "task", task("probe", clock(fresh, 1), "P"))),
        403, "device_owned_by_other_user");
  }

  // ---------------------------------------------------------------------------------------------
  // Push refusals, table-driven
  // ---------------------------------------------------------------------------------------------

  /** A push request built for the current test's org, token and device. */
  @FunctionalInterface
  interface Request {
    HttpResponse<Buffer> send(HttpContractTest test);
  }

  static Stream<Arguments> pushRefusals() {
    return Stream.of(
        // device naming
        refusal("deviceId in the body differs from X-Device-Id", 400, "invalid_request",
            t -> t.pushRaw(jsonHeaders().add("X-Device-Id", uniqueId("dev-other")), bytes(t.probeBatch()))),
        refusal("no device at all", 400, "invalid_request",
            t -> t.pushRaw(jsonHeaders(), bytes(t.probeBatch().put("deviceId", (String) null)))),
        refusal("deviceId empty and no header", 400, "invalid_request",
            t -> t.pushRaw(jsonHeaders(), bytes(t.probeBatch().put("deviceId", "")))),
        refusal("deviceId outside the id alphabet", 400, "invalid_request",
            t -> t.pushRaw(jsonHeaders(), bytes(t.probeBatch().put("deviceId", "dev one!")))),
        refusal("deviceId is a number", 400, "invalid_request",
            t -> t.pushRaw(jsonHeaders(), bytes(t.probeBatch().put("deviceId", 42)))),
        // media type
        refusal("Content-Type text/plain", 415, "unsupported_media_type",
            t -> t.pushRaw(headers("Content-Type", "text/plain"), bytes(t.probeBatch()))),
        refusal("no Content-Type", 415, "unsupported_media_type",
            t -> t.pushRaw(MultiMap.caseInsensitiveMultiMap(), bytes(t.probeBatch()))),
        refusal("Content-Type application/xml", 415, "unsupported_media_type",
            t -> t.pushRaw(headers("Content-Type", "application/xml"), bytes(t.probeBatch()))),
        refusal("Content-Type text/json", 415, "unsupported_media_type",
            t -> t.pushRaw(headers("Content-Type", "text/json"), bytes(t.probeBatch()))),
        refusal("Content-Type application/x-www-form-urlencoded", 415, "unsupported_media_type",
            t -> t.pushRaw(headers("Content-Type", "application/x-www-form-urlencoded"), bytes(t.probeBatch()))),
        // content coding
        refusal("Content-Encoding br", 415, "unsupported_encoding",
            t -> t.pushRaw(jsonHeaders().add("Content-Encoding", "br"), bytes(t.probeBatch()))),
        refusal("Content-Encoding compress", 415, "unsupported_encoding",
            t -> t.pushRaw(jsonHeaders().add("Content-Encoding", "compress"), bytes(t.probeBatch()))),
        refusal("garbage declared gzip", 400, "bad_encoding",
            t -> t.pushRaw(jsonHeaders().add("Content-Encoding", "gzip"), bytes(t.probeBatch()))),
        refusal("truncated gzip", 400, "bad_encoding",
            t -> t.pushRaw(jsonHeaders().add("Content-Encoding", "gzip"), truncated(Encodings.gzip(bytes(t.probeBatch()))))),
        refusal("gzip with a corrupt CRC trailer", 400, "bad_encoding",
            t -> t.pushRaw(jsonHeaders().add("Content-Encoding", "gzip"), corruptTrailer(Encodings.gzip(bytes(t.probeBatch()))))),
        refusal("truncated deflate", 400, "bad_encoding",
            t -> t.pushRaw(jsonHeaders().add("Content-Encoding", "deflate"), truncated(zlib(bytes(t.probeBatch()))))),
        // sizes
        refusal("identity body over 4 MiB", 413, "payload_too_large",
            t -> t.pushRaw(jsonHeaders(), paddedBatch(t.probeBatch(), 4 * MIB + 1024))),
        refusal("gzip body over 4 MiB on the wire", 413, "payload_too_large",
            t -> t.pushRaw(jsonHeaders().add("Content-Encoding", "gzip"), randomBytes(4 * MIB + 1024))),
        refusal("gzip bomb: 64 MB of zeros in ~64 KB", 413, "payload_too_large",
            t -> t.pushRaw(jsonHeaders().add("Content-Encoding", "gzip"), gzipBomb)),
        refusal("deflate bomb: 64 MB of zeros in ~64 KB", 413, "payload_too_large",
            t -> t.pushRaw(jsonHeaders().add("Content-Encoding", "deflate"), deflateBomb)),
        refusal("501 items", 413, "too_many_items", t -> t.pushRaw(jsonHeaders(), bytes(t.batchOf(501)))),
        refusal("501 items across two entity types", 413, "too_many_items",
            t -> t.pushRaw(jsonHeaders(), bytes(t.batchOf(500).put("changes", t.batchOf(500).getJsonObject("changes")
                .put("comment", new JsonArray().add(comment("c1", "seed", clock(t.device, 9), "hi"))))))),
        // envelope
        refusal("malformed JSON", 400, "invalid_request",
            t -> t.pushRaw(jsonHeaders(), "{\"deviceId\": \"x\", \"changes\": {".getBytes(StandardCharsets.UTF_8))),
        refusal("empty body", 400, "invalid_request", t -> t.pushRaw(jsonHeaders(), new byte[0])),
        refusal("top-level array", 400, "invalid_request",
            t -> t.pushRaw(jsonHeaders(), bytes(new JsonArray().add(t.probeBatch())))),
        refusal("top-level string", 400, "invalid_request",
            t -> t.pushRaw(jsonHeaders(), "\"hello\"".getBytes(StandardCharsets.UTF_8))),
        refusal("trailing content after the object", 400, "invalid_request",
            t -> t.pushRaw(jsonHeaders(), (t.probeBatch().encode() + " {}").getBytes(StandardCharsets.UTF_8))),
        refusal("missing changes", 400, "invalid_request",
            t -> t.pushRaw(jsonHeaders(), bytes(new JsonObject().put("deviceId", t.device)))),
        refusal("changes null", 400, "invalid_request",
            t -> t.pushRaw(jsonHeaders(), bytes(new JsonObject().put("deviceId", t.device).putNull("changes")))),
        refusal("changes is an array", 400, "invalid_request",
            t -> t.pushRaw(jsonHeaders(), bytes(new JsonObject().put("deviceId", t.device)
                .put("changes", new JsonArray().add(task("probe", clock(t.device, 1), "P")))))),
        refusal("changes.task is an object", 400, "invalid_request",
            t -> t.pushRaw(jsonHeaders(), bytes(new JsonObject().put("deviceId", t.device)
                .put("changes", new JsonObject().put("task", task("probe", clock(t.device, 1), "P")))))),
        refusal("changes.task holds a non-object next to a good item", 400, "invalid_request",
            t -> t.pushRaw(jsonHeaders(), bytes(new JsonObject().put("deviceId", t.device)
                .put("changes", new JsonObject().put("task", new JsonArray()
                    .add(task("probe", clock(t.device, 1), "P")).add("not an item")))))),
        refusal("timestamp is a string", 400, "invalid_request",
            t -> t.pushRaw(jsonHeaders(), bytes(t.probeBatch().put("timestamp", "yesterday")))),
        refusal("envelope vectorClock is an array", 400, "invalid_request",
            t -> t.pushRaw(jsonHeaders(), bytes(t.probeBatch().put("vectorClock", new JsonArray().add(1))))),
        refusal("batchId outside the id alphabet", 400, "invalid_request",
            t -> t.pushRaw(jsonHeaders(), bytes(t.probeBatch().put("batchId", "batch 1/2")))),
        refusal("unknown checksumAlgorithm", 400, "invalid_request",
            t -> t.pushRaw(jsonHeaders(), bytes(t.probeBatch().put("checksumAlgorithm", "md5")))),
        refusal("JSON nested deeper than 32", 400, "invalid_request",
            t -> t.pushRaw(jsonHeaders(), bytes(t.probeBatch().put("extension", nested(40))))),
        refusal("unknown changes key next to a good one", 400, "unknown_entity_type",
            t -> t.pushRaw(jsonHeaders(), bytes(t.probeBatch().put("changes", t.probeBatch().getJsonObject("changes")
                .put("project", new JsonArray()))))),
        refusal("unknown changes key alone", 400, "unknown_entity_type",
            t -> t.pushRaw(jsonHeaders(), bytes(new JsonObject().put("deviceId", t.device)
                .put("changes", new JsonObject().put("note", new JsonArray()
                    .add(task("probe", clock(t.device, 1), "P"))))))));
  }

  private static Arguments refusal(String name, int status, String code, Request request) {
    return Arguments.of(Named.of(name, request), status, code);
  }

  @ParameterizedTest(name = "{0} -> {1} {2}")
  @MethodSource("pushRefusals")
  @DisplayName("a refused push answers the right problem and applies nothing")
  void refusedPushAppliesNothing(Request request, int status, String code) {
    assertRefusedWithoutEffect(() -> request.send(this), status, code);
  }

  static Stream<Named<Request>> acceptedPushes() {
    return Stream.of(
        Named.of("Content-Type application/json", t -> t.pushRaw(jsonHeaders(), bytes(t.probeBatch()))),
        Named.of("Content-Type application/json; charset=utf-8",
            t -> t.pushRaw(headers("Content-Type", "application/json; charset=utf-8"), bytes(t.probeBatch()))),
        Named.of("Content-Type application/vnd.api+json",
            t -> t.pushRaw(headers("Content-Type", "application/vnd.api+json"), bytes(t.probeBatch()))),
        Named.of("Content-Type application/vnd.sync+json; charset=UTF-8",
            t -> t.pushRaw(headers("Content-Type", "application/vnd.sync+json; charset=UTF-8"), bytes(t.probeBatch()))),
        Named.of("Content-Type in upper case",
            t -> t.pushRaw(headers("Content-Type", "Application/JSON"), bytes(t.probeBatch()))),
        Named.of("Content-Encoding deflate", t -> t.pushRaw(jsonHeaders().add("Content-Encoding", "deflate"),
            zlib(bytes(t.probeBatch())))),
        Named.of("Content-Encoding identity", t -> t.pushRaw(jsonHeaders().add("Content-Encoding", "identity"),
            bytes(t.probeBatch()))),
        Named.of("device only in X-Device-Id",
            t -> t.pushRaw(jsonHeaders().add("X-Device-Id", t.device), bytes(t.probeBatch().put("deviceId", (String) null)))),
        Named.of("empty deviceId in the body, device in X-Device-Id",
            t -> t.pushRaw(jsonHeaders().add("X-Device-Id", t.device), bytes(t.probeBatch().put("deviceId", "")))),
        Named.of("same device in body and X-Device-Id",
            t -> t.pushRaw(jsonHeaders().add("X-Device-Id", t.device), bytes(t.probeBatch()))),
        Named.of("unknown top-level keys are ignored",
            t -> t.pushRaw(jsonHeaders(), bytes(t.probeBatch().put("clientVersion", "2.3.1")
                .put("_debug", true).put("future", new JsonObject().put("x", new JsonArray().add(1)))))),
        Named.of("plural changes key 'tasks'",
            t -> t.pushRaw(jsonHeaders(), bytes(new JsonObject().put("deviceId", t.device)
                .put("changes", new JsonObject().put("tasks", new JsonArray().add(task("probe", clock(t.device, 2), "Probe"))))))),
        Named.of("envelope vectorClock over 4096 entries is ignored",
            t -> t.pushRaw(jsonHeaders(), bytes(t.probeBatch().put("vectorClock", bigClock(5000))))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("acceptedPushes")
  @DisplayName("an acceptable push is 200 and applies its item")
  void acceptablePushApplies(Request request) {
    HttpResponse<Buffer> response = request.send(this);

    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    assertThat(response.getHeader("X-Request-Id")).isNotBlank();
    assertThat(response.bodyAsJsonObject().getInteger("processed")).isEqualTo(1);
    assertThat(gateway.getOk(token, "/api/tasks/probe").getString("title")).isEqualTo("Probe");
  }

  @Test
  @DisplayName("\"changes\": {} is a valid empty batch: 200, processed 0")
  void emptyChangesIsAValidBatch() {
    JsonObject before = feed();

    JsonObject response = gateway.pushOk(token, new JsonObject().put("deviceId", device).put("changes", new JsonObject()));

    assertThat(response.getBoolean("success")).isTrue();
    assertThat(response.getInteger("processed")).isZero();
    assertThat(response.getJsonArray("conflicts")).isEmpty();
    assertThat(response.getJsonArray("superseded")).isEmpty();
    assertThat(response.getJsonArray("rejected")).isEmpty();
    assertThat(feed()).isEqualTo(before);
  }

  @Test
  @DisplayName("exactly 500 items is within the limit: 200, all applied")
  void fiveHundredItemsAreAccepted() {
    JsonObject response = gateway.pushOk(token, batchOf(500));

    assertThat(response.getInteger("processed")).isEqualTo(500);
  }

  @Test
  @DisplayName("a body of exactly 4 MiB is within the wire limit: 200")
  void bodyOfExactlyFourMibIsAccepted() {
    byte[] body = batchPaddedTo(probeBatch(), 4 * MIB);

    HttpResponse<Buffer> response = pushRaw(jsonHeaders(), body);

    assertThat(body).hasSize(4 * MIB);
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
  }

  @Test
  @DisplayName("a chunked body (no Content-Length) over 4 MiB is 413 payload_too_large and applies nothing")
  void chunkedBodyOverFourMibIsTooLarge() throws Exception {
    byte[] body = paddedBatch(probeBatch(), 5 * MIB);
    JsonObject before = feed();

    RawResponse response = postChunked(body);

    assertProblem(response.status(), response.headers()::get, response.body(), 413, "payload_too_large");
    assertThat(feed()).isEqualTo(before);
    assertThat(gateway.get(token, "/api/tasks/probe").statusCode()).isEqualTo(404);
  }

  @Test
  @DisplayName("a gzip body decoding to exactly 16 MiB is within the decoded limit: 200")
  void decodedBodyOfExactlySixteenMibIsAccepted() {
    byte[] body = batchPaddedTo(probeBatch(), 16 * MIB);

    HttpResponse<Buffer> response = pushRaw(jsonHeaders().add("Content-Encoding", "gzip"), Encodings.gzip(body));

    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
  }

  @Test
  @DisplayName("a gzip body decoding to 16 MiB + 1 byte is 413 payload_too_large and applies nothing")
  void decodedBodyOneByteOverSixteenMibIsTooLarge() {
    byte[] body = batchPaddedTo(probeBatch(), 16 * MIB + 1);

    assertRefusedWithoutEffect(() -> pushRaw(jsonHeaders().add("Content-Encoding", "gzip"), Encodings.gzip(body)),
        413, "payload_too_large");
  }

  // ---------------------------------------------------------------------------------------------
  // Pull refusals
  // ---------------------------------------------------------------------------------------------

  static Stream<Arguments> pullRefusals() {
    return Stream.of(
        Arguments.of("/api/sync/pull?limit=0", 400, "invalid_request"),
        Arguments.of("/api/sync/pull?limit=1001", 400, "invalid_request"),
        Arguments.of("/api/sync/pull?limit=ten", 400, "invalid_request"),
        Arguments.of("/api/sync/pull?offset=-1&since=0", 400, "invalid_request"),
        Arguments.of("/api/sync/pull?offset=x&since=0", 400, "invalid_request"),
        Arguments.of("/api/sync/pull?since=zzzz", 400, "invalid_cursor"),
        Arguments.of("/api/sync/pull?types=project", 400, "unknown_entity_type"),
        Arguments.of("/api/sync/pull?types=task,project", 400, "unknown_entity_type"),
        Arguments.of("/api/sync/pull?types=", 400, "unknown_entity_type"),
        Arguments.of("/api/sync/pull?deviceId=bad%20device", 400, "invalid_request"));
  }

  @ParameterizedTest(name = "{0} -> {1} {2}")
  @MethodSource("pullRefusals")
  @DisplayName("a pull with a bad query answers the right problem")
  void badPullQueryIsRefused(String pathAndQuery, int status, String code) {
    assertProblem(gateway.get(token, pathAndQuery), status, code);
  }

  @Test
  @DisplayName("a pull whose deviceId query differs from X-Device-Id is 400 invalid_request")
  void pullDeviceMismatchIsRefused() {
    assertProblem(send(HttpMethod.GET, "/api/sync/pull?deviceId=" + device, "Bearer " + token,
        MultiMap.caseInsensitiveMultiMap().add("X-Device-Id", uniqueId("dev-other")), null), 400, "invalid_request");
  }

  @Test
  @DisplayName("offset with a cursor is 400 invalid_request")
  void offsetWithCursorIsRefused() {
    String cursor = gateway.getOk(token, "/api/sync/pull").getString("cursor");

    assertProblem(gateway.get(token, "/api/sync/pull?since=" + cursor + "&offset=0"), 400, "invalid_request");
  }

  // ---------------------------------------------------------------------------------------------
  // Routes and methods
  // ---------------------------------------------------------------------------------------------

  @ParameterizedTest(name = "GET {0}")
  @ValueSource(strings = {"/api/nope", "/api/sync", "/api/sync/pull/projects", "/api/tasks", "/nope", "/api/tasks/seed/history"})
  @DisplayName("an unknown route is 404 not_found")
  void unknownRouteIsNotFound(String path) {
    assertProblem(gateway.get(token, path), 404, "not_found");
  }

  static Stream<Arguments> wrongMethods() {
    return Stream.of(
        Arguments.of(HttpMethod.DELETE, "/api/sync/pull", "GET,HEAD"),
        Arguments.of(HttpMethod.POST, "/api/sync/pull", "GET,HEAD"),
        Arguments.of(HttpMethod.PUT, "/api/sync/pull/tasks", "GET,HEAD"),
        Arguments.of(HttpMethod.GET, "/api/sync/push", "POST"),
        Arguments.of(HttpMethod.PUT, "/api/sync/push", "POST"),
        Arguments.of(HttpMethod.DELETE, "/api/sync/push", "POST"),
        Arguments.of(HttpMethod.DELETE, "/api/tasks/seed", "GET,HEAD"),
        Arguments.of(HttpMethod.PATCH, "/api/tasks/seed", "GET,HEAD"),
        Arguments.of(HttpMethod.POST, "/api/tasks/seed/comments", "GET,HEAD"),
        Arguments.of(HttpMethod.POST, "/health/live", "GET,HEAD"));
  }

  @ParameterizedTest(name = "{0} {1} -> 405, Allow: {2}")
  @MethodSource("wrongMethods")
  @DisplayName("a wrong method on a known route is 405 method_not_allowed with an Allow header")
  void wrongMethodIsNotAllowed(HttpMethod method, String path, String allowed) {
    JsonObject before = feed();

    HttpResponse<Buffer> response = send(method, path, "Bearer " + token, jsonHeaders(), bytes(probeBatch()));

    assertProblem(response, 405, "method_not_allowed");
    assertThat(response.getHeader("Allow")).isNotNull();
    assertThat(Arrays.stream(response.getHeader("Allow").split(",")).map(String::trim).collect(Collectors.toSet()))
        .containsExactlyInAnyOrder(allowed.split(","));
    assertThat(feed()).isEqualTo(before);
  }

  @ParameterizedTest(name = "HEAD {0}")
  @ValueSource(strings = {"/api/sync/pull", "/api/sync/pull?since=0&limit=5", "/api/tasks/seed",
      "/api/tasks/seed/comments", "/health/live"})
  @DisplayName("HEAD works wherever GET does: 200 without a body")
  void headWorksWhereGetDoes(String path) {
    HttpResponse<Buffer> response = send(HttpMethod.HEAD, path, "Bearer " + token, MultiMap.caseInsensitiveMultiMap(), null);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body() == null || response.body().length() == 0).isTrue();
    assertThat(response.getHeader("X-Request-Id")).isNotBlank();
  }

  @Test
  @DisplayName("a pull filtered to two types answers 200 with those types only")
  void pullFilteredToTwoTypesAnswers() {
    gateway.pushOk(token, batch(device, "comment", comment("c1", "seed", clock(device, 2), "hi")));

    JsonObject page = gateway.getOk(token, "/api/sync/pull?since=0&types=comment,attachments");

    assertThat(page.getJsonArray("tasks")).isEmpty();
    assertThat(page.getJsonArray("comments")).hasSize(1);
  }

  @Test
  @DisplayName("HEAD /api/sync/pull/tasks works like GET: 200 without a body")
  void headWorksOnSingleTypePull() {
    HttpResponse<Buffer> response = send(HttpMethod.HEAD, "/api/sync/pull/tasks", "Bearer " + token,
        MultiMap.caseInsensitiveMultiMap(), null);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body() == null || response.body().length() == 0).isTrue();
  }

  @ParameterizedTest(name = "GET /api/sync/pull/{0}")
  @ValueSource(strings = {"tasks", "comments", "attachments"})
  @DisplayName("GET /api/sync/pull/{type} answers the pull shape with only that type")
  void singleTypePullAnswersOnlyThatType(String plural) {
    gateway.pushOk(token, batch(device, "comment", comment("c1", "seed", clock(device, 2), "hi")));

    JsonObject page = gateway.getOk(token, "/api/sync/pull/" + plural + "?since=0");

    for (String array : new String[] {"tasks", "comments", "attachments"}) {
      assertThat(page.getJsonArray(array)).as(array).hasSize(array.equals("tasks") && plural.equals("tasks")
          || array.equals("comments") && plural.equals("comments") ? 1 : 0);
    }
    assertThat(page.getBoolean("hasMore")).isFalse();
    assertThat(page.getString("cursor")).isNotBlank();
  }

  @ParameterizedTest(name = "types={0}")
  @ValueSource(strings = {"task", "tasks", "comment"})
  @DisplayName("a pull filtered to one type with types= answers 200")
  void pullFilteredToOneTypeAnswers(String types) {
    HttpResponse<Buffer> response = gateway.get(token, "/api/sync/pull?since=0&types=" + types);

    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
  }

  // ---------------------------------------------------------------------------------------------
  // Task endpoints
  // ---------------------------------------------------------------------------------------------

  @Test
  @DisplayName("GET /api/tasks/{id} of another organization's task is 404 not_found")
  void anotherOrganizationsTaskIsNotFound() {
    String otherToken = gateway.token("mallory", uniqueId("org-other"));
    gateway.pushOk(otherToken, batch(uniqueId("dev-m"), "task", task("secret-task", clock("m", 1), "Secret")));

    assertProblem(gateway.get(token, "/api/tasks/secret-task"), 404, "not_found");
  }

  @Test
  @DisplayName("the same task id in two organizations: each sees only its own")
  void sameIdInTwoOrganizationsStaysApart() {
    String otherToken = gateway.token("mallory", uniqueId("org-other"));
    gateway.pushOk(otherToken, batch(uniqueId("dev-m"), "task", task("seed", clock("m", 5), "Theirs")));

    assertThat(gateway.getOk(token, "/api/tasks/seed").getString("title")).isEqualTo("Seed");
    assertThat(gateway.getOk(otherToken, "/api/tasks/seed").getString("title")).isEqualTo("Theirs");
  }

  @ParameterizedTest(name = "GET /api/tasks/{0}")
  @ValueSource(strings = {"%24x", "a%20b", "%C3%A9t%C3%A9", "a%2Fb", "no-such-task"})
  @DisplayName("GET /api/tasks/{id} with an id outside the alphabet, or unknown, is 404 not_found")
  void badTaskIdIsNotFound(String encodedId) {
    assertProblem(gateway.get(token, "/api/tasks/" + encodedId), 404, "not_found");
  }

  @Test
  @DisplayName("GET /api/tasks/{id} with a 200-character id is 404 not_found")
  void overlongTaskIdIsNotFound() {
    assertProblem(gateway.get(token, "/api/tasks/" + "a".repeat(200)), 404, "not_found");
    assertProblem(gateway.get(token, "/api/tasks/" + "a".repeat(200) + "/comments"), 404, "not_found");
  }

  @Test
  @DisplayName("GET /api/tasks/{id}/comments answers {\"comments\": [...]} with the task's live comments")
  void taskCommentsAreListed() {
    gateway.pushOk(token, batch(device,
        "comment", comment("c1", "seed", clock(device, 2), "first"),
        "comment", comment("c2", "seed", clock(device, 3), "second"),
        "task", task("other", clock(device, 4), "Other"),
        "comment", comment("c3", "other", clock(device, 5), "elsewhere")));

    HttpResponse<Buffer> response = gateway.get(token, "/api/tasks/seed/comments");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.getHeader("Content-Type")).startsWith("application/json");
    JsonObject body = response.bodyAsJsonObject();
    assertThat(body.fieldNames()).contains("comments");
    assertThat(body.getJsonArray("comments").stream().map(c -> ((JsonObject) c).getString("content")))
        .containsExactlyInAnyOrder("first", "second");
  }

  @Test
  @DisplayName("GET /api/tasks/{id}/comments of a task without comments is an empty list")
  void taskWithoutCommentsHasEmptyList() {
    assertThat(gateway.getOk(token, "/api/tasks/seed/comments").getJsonArray("comments")).isEmpty();
  }

  @Test
  @DisplayName("GET /api/tasks/{id}/comments never shows another organization's comments")
  void anotherOrganizationsCommentsAreNotListed() {
    String otherToken = gateway.token("mallory", uniqueId("org-other"));
    String dev = uniqueId("dev-m");
    gateway.pushOk(otherToken, batch(dev, "task", task("secret-task", clock(dev, 1), "Secret"),
        "comment", comment("sc", "secret-task", clock(dev, 2), "secret comment")));

    HttpResponse<Buffer> response = gateway.get(token, "/api/tasks/secret-task/comments");

    assertThat(response.bodyAsString()).doesNotContain("secret comment");
    if (response.statusCode() == 200) {
      assertThat(response.bodyAsJsonObject().getJsonArray("comments")).isEmpty();
    } else {
      assertProblem(response, 404, "not_found");
    }
  }

  // ---------------------------------------------------------------------------------------------
  // X-Request-Id
  // ---------------------------------------------------------------------------------------------

  static Stream<Arguments> assortedRequests() {
    return Stream.of(
        Arguments.of(HttpMethod.GET, "/api/sync/pull", true),
        Arguments.of(HttpMethod.GET, "/api/sync/pull", false),
        Arguments.of(HttpMethod.POST, "/api/sync/push", true),
        Arguments.of(HttpMethod.GET, "/api/tasks/seed", true),
        Arguments.of(HttpMethod.GET, "/api/tasks/missing", true),
        Arguments.of(HttpMethod.DELETE, "/api/sync/pull", true),
        Arguments.of(HttpMethod.GET, "/nowhere", false),
        Arguments.of(HttpMethod.GET, "/health/live", false),
        Arguments.of(HttpMethod.GET, "/health/ready", false),
        Arguments.of(HttpMethod.GET, "/metrics", false));
  }

  @ParameterizedTest(name = "{0} {1} (token: {2})")
  @MethodSource("assortedRequests")
  @DisplayName("every response carries X-Request-Id")
  void everyResponseCarriesRequestId(HttpMethod method, String path, boolean withToken) {
    HttpResponse<Buffer> response = send(method, path, withToken ? "Bearer " + token : null, jsonHeaders(),
        method == HttpMethod.POST ? bytes(probeBatch()) : null);

    assertThat(response.getHeader("X-Request-Id")).isNotBlank();
  }

  @Test
  @DisplayName("each request gets its own X-Request-Id")
  void requestIdsAreDistinct() {
    String first = gateway.get(token, "/api/sync/pull").getHeader("X-Request-Id");
    String second = gateway.get(token, "/api/sync/pull").getHeader("X-Request-Id");

    assertThat(first).isNotEqualTo(second);
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers
  // ---------------------------------------------------------------------------------------------

  /** Asserts the request is refused with the given problem and that the organization's feed is unchanged. */
  private void assertRefusedWithoutEffect(java.util.function.Supplier<HttpResponse<Buffer>> request, int status,
      String code) {
    JsonObject before = feed();

    HttpResponse<Buffer> response = request.get();

    assertProblem(response, status, code);
    assertThat(feed()).as("the feed after a refused request").isEqualTo(before);
    assertThat(gateway.get(token, "/api/tasks/probe").statusCode()).isEqualTo(404);
  }

  static void assertProblem(HttpResponse<Buffer> response, int status, String code) {
    assertProblem(response.statusCode(), response::getHeader, response.bodyAsString(), status, code);
  }

  static void assertProblem(int actualStatus, Function<String, String> header, String body, int status, String code) {
    assertThat(actualStatus).as("status of %s", body).isEqualTo(status);
    assertThat(header.apply("Content-Type")).as("Content-Type").startsWith("application/problem+json");
    assertThat(header.apply("X-Request-Id")).as("X-Request-Id").isNotBlank();
    JsonObject problem = new JsonObject(body);
    assertThat(problem.fieldNames()).contains("type", "title", "status", "detail", "code");
    assertThat(problem.getString("type")).isNotBlank();
    assertThat(problem.getString("title")).isNotBlank();
    assertThat(problem.getValue("status")).isEqualTo(status);
    assertThat(problem.getValue("detail")).isInstanceOf(String.class);
    assertThat(problem.getString("code")).isEqualTo(code);
    assertThat(body).doesNotContain("Exception").doesNotContain("\tat ").doesNotContain(".java:");
  }

  /** The organization's whole feed, seen by nobody in particular; comparing two shows any change. */
  private JsonObject feed() {
    JsonObject all = gateway.pullAll(token, null, 1000);
    all.remove("cursor");
    return all;
  }

  private JsonObject probeBatch() {
    return batch(device, "task", task("probe", clock(device, 2), "Probe")).put("vectorClock", clock(device, 2));
  }

  private JsonObject batchOf(int items) {
    JsonArray tasks = new JsonArray();
    for (int i = 0; i < items; i++) {
      tasks.add(task("bulk-" + i, clock(device, 2), "Bulk " + i));
    }
    return new JsonObject().put("deviceId", device).put("changes", new JsonObject().put("task", tasks));
  }

  private HttpResponse<Buffer> pushRaw(MultiMap headers, byte[] body) {
    return send(HttpMethod.POST, "/api/sync/push", "Bearer " + token, headers, body);
  }

  private static HttpResponse<Buffer> send(HttpMethod method, String path, String authorization, MultiMap headers,
      byte[] body) {
    HttpRequest<Buffer> request = gateway.client().request(method, path).putHeaders(headers);
    if (authorization != null) {
      request.putHeader("Authorization", authorization);
    }
    return body == null ? request.send().await() : request.sendBuffer(Buffer.buffer(body)).await();
  }

  private static MultiMap jsonHeaders() {
    return headers("Content-Type", "application/json");
  }

  private static MultiMap headers(String name, String value) {
    return MultiMap.caseInsensitiveMultiMap().add(name, value);
  }

  private static byte[] bytes(Object json) {
    String text = json instanceof JsonObject object ? object.encode() : ((JsonArray) json).encode();
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static java.util.List<String> ids(JsonArray entities) {
    return entities.stream().map(e -> ((JsonObject) e).getString("id")).toList();
  }

  private static byte[] truncated(byte[] bytes) {
    return Arrays.copyOf(bytes, bytes.length / 2);
  }

  private static byte[] corruptTrailer(byte[] gzip) {
    byte[] copy = gzip.clone();
    copy[copy.length - 8] ^= 0x5a; // first byte of the CRC32
    return copy;
  }

  private static byte[] zlib(byte[] bytes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (DeflaterOutputStream deflate = new DeflaterOutputStream(out)) {
      deflate.write(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static byte[] randomBytes(int size) {
    byte[] bytes = new byte[size];
    new java.util.Random(42).nextBytes(bytes);
    return bytes;
  }

  /** A valid batch padded (with an ignored top-level key) to at least {@code size} bytes. */
  private static byte[] paddedBatch(JsonObject batch, int size) {
    return bytes(batch.put("padding", "x".repeat(size)));
  }

  /** A valid batch padded (with an ignored top-level key) to exactly {@code size} bytes. */
  private static byte[] batchPaddedTo(JsonObject batch, int size) {
    int overhead = bytes(batch.copy().put("padding", "")).length;
    byte[] body = bytes(batch.put("padding", "x".repeat(size - overhead)));
    assertThat(body).hasSize(size);
    return body;
  }

  private record RawResponse(int status, Map<String, String> headers, String body) {}

  /**
   * POSTs a chunked push over a plain socket: a writer thread uploads while this thread reads, so a
   * gateway that answers before reading everything is seen as it is.
   */
  private RawResponse postChunked(byte[] body) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", gateway.gateway().httpPort())) {
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      Thread writer = new Thread(() -> {
        try {
          out.write(("POST /api/sync/push HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token
              + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
          for (int from = 0; from < body.length; from += 64 * 1024) {
            int length = Math.min(64 * 1024, body.length - from);
            out.write((Integer.toHexString(length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body, from, length);
            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
          }
          out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
          out.flush();
        } catch (IOException e) {
          // the gateway may close the connection after answering: that is its right
        }
      });
      writer.setDaemon(true);
      writer.start();
      BufferedInputStream in = new BufferedInputStream(socket.getInputStream());
      String statusLine = readLine(in);
      Map<String, String> headers = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
        int colon = line.indexOf(':');
        headers.put(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
      }
      byte[] responseBody = in.readNBytes(Integer.parseInt(headers.getOrDefault("Content-Length", "0")));
      socket.close();
      writer.join(10_000);
      return new RawResponse(Integer.parseInt(statusLine.split(" ")[1]), headers,
          new String(responseBody, StandardCharsets.UTF_8));
    }
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b = in.read(); b != '\n'; b = in.read()) {
      if (b < 0) {
        throw new IOException("connection closed before the response was complete");
      }
      if (b != '\r') {
        line.write(b);
      }
    }
    return line.toString(StandardCharsets.US_ASCII);
  }

  private static byte[] compressedZeros(int megabytes, boolean gzip) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (var stream = gzip ? new GZIPOutputStream(out) : new DeflaterOutputStream(out)) {
      byte[] chunk = new byte[MIB];
      for (int i = 0; i < megabytes; i++) {
        stream.write(chunk);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    byte[] bytes = out.toByteArray();
    assertThat(bytes.length).isLessThan(MIB);
    return bytes;
  }

  private static JsonObject nested(int depth) {
    JsonObject inner = new JsonObject().put("leaf", true);
    for (int i = 0; i < depth; i++) {
      inner = new JsonObject().put("n", inner);
    }
    return inner;
  }

  private static JsonObject bigClock(int entries) {
    JsonObject clock = new JsonObject();
    for (int i = 0; i < entries; i++) {
      clock.put("d" + i, i);
    }
    return clock;
  }

  // --- hand-crafted JWTs ---

  private static JsonObject claims(String org, String role, long expEpochSeconds) {
    return new JsonObject().put("sub", "alice").put("org", org).put("role", role)
        .put("iat", System.currentTimeMillis() / 1000 - 10).put("exp", expEpochSeconds);
  }

  private static String hs256(String secret, JsonObject claims) {
    return jwt("HS256", secret, claims);
  }

  private static final Map<String, String> MACS = Map.of("HS256", "HmacSHA256", "HS384", "HmacSHA384",
      "HS512", "HmacSHA512");

  private static String jwt(String alg, String secret, JsonObject claims) {
    String signingInput = b64(new JsonObject().put("alg", alg).put("typ", "JWT").encode()) + "." + b64(claims.encode());
    try {
      Mac mac = Mac.getInstance(MACS.get(alg));
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), MACS.get(alg)));
      return signingInput + "." + Base64.getUrlEncoder().withoutPadding()
          .encodeToString(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String unsigned(JsonObject claims) {
    return b64(new JsonObject().put("alg", "none").put("typ", "JWT").encode()) + "." + b64(claims.encode()) + ".";
  }

  private static String alterSignature(String token) {
    int dot = token.lastIndexOf('.');
    char first = token.charAt(dot + 1);
    return token.substring(0, dot + 1) + (first == 'A' ? 'B' : 'A') + token.substring(dot + 2);
  }

  private static String swapClaims(String token, JsonObject claims) {
    String[] parts = token.split("\\.");
    return parts[0] + "." + b64(claims.encode()) + "." + parts[2];
  }

  private static String b64(String text) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }
}
