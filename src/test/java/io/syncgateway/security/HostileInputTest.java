package io.syncgateway.security;

import static io.syncgateway.testsupport.Encodings.gzip;
import static io.syncgateway.testsupport.Encodings.deflate;
import static io.syncgateway.testsupport.Encodings.concat;
import static io.syncgateway.testsupport.Encodings.utf8;
import static io.syncgateway.testsupport.Changes.attachment;
import static io.syncgateway.testsupport.Changes.batch;
import static io.syncgateway.testsupport.Changes.clock;
import static io.syncgateway.testsupport.Changes.comment;
import static io.syncgateway.testsupport.Changes.task;
import static io.syncgateway.testsupport.Changes.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;

import io.syncgateway.auth.Role;
import io.syncgateway.auth.TokenService;
import io.syncgateway.entity.Ids;
import io.syncgateway.testsupport.GatewayHarness;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile and broken requests, one row per input class (PROTOCOL.md §1–§3, Appendix A): each gets
 * its contract status and code, writes nothing (the organization pulls the same before and after;
 * for item-level problems only the good item of the batch is applied), and leaves the gateway
 * ready.
 */
@DisplayName("Hostile input: every bad request gets its contract answer, changes nothing and leaves the gateway UP")
class HostileInputTest {
  private static final String SQL_ID = "t1'; DROP TABLE tasks;--";
  private static final String SQL_TYPE = "tasks; DELETE FROM tasks";
  private static final String OTHER_SECRET = "some-other-secret-that-is-long-enough-0123456789";

  @RegisterExtension
  static final GatewayHarness gateway = GatewayHarness.perClass("hostile_input");
  private static Vertx signingVertx;
  private static byte[] gzipBomb;
  private static byte[] deflateBomb;

  @BeforeAll
  static void startSigner() {
    signingVertx = Vertx.vertx();
  }

  @AfterAll
  static void stopSigner() {
    signingVertx.close().await();
  }

  /** One organization, user, member token and device of its own per row. */
  record Ctx(String org, String user, String token, String device) {
    static Ctx fresh() {
      String org = uniqueId("org");
      String user = uniqueId("user");
      return new Ctx(org, user, gateway.token(user, org), uniqueId("dev"));
    }
  }

  /** A request as sent: method, path, headers, body, bearer token (null: no Authorization header). */
  record Req(String method, String path, MultiMap headers, byte[] body, String token) {
    Req withToken(String bearer) {
      return new Req(method, path, headers, body, bearer);
    }
  }

  enum Level { REQUEST, ITEM }

  /**
   * One row: for REQUEST rows {@code request} builds the whole request and the answer must be a
   * problem with {@code status}/{@code code}; for ITEM rows {@code badItem} is pushed next to a good
   * task under {@code type} and must be rejected with the item-level {@code code}.
   */
  record Row(String name, Level level, int status, String code, Function<Ctx, Req> request,
      String type, Function<Ctx, JsonObject> badItem, String badId) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Row rejects(String name, int status, String code, Function<Ctx, Req> request) {
    return new Row(name, Level.REQUEST, status, code, request, null, null, null);
  }

  /** An item-level row; {@code badId} is the id the rejection names (null when the item has no usable id). */
  static Row item(String name, String code, String type, String badId, Function<Ctx, JsonObject> badItem) {
    return new Row(name, Level.ITEM, 200, code, null, type, badItem, badId);
  }

  // ---------------------------------------------------------------- the table

  static Stream<Row> rows() {
    List<Row> rows = new ArrayList<>();
    rows.addAll(encodingRows());
    rows.addAll(jsonRows());
    rows.addAll(envelopeRows());
    rows.addAll(itemRows());
    rows.addAll(tokenRows());
    rows.addAll(accessRows());
    rows.addAll(readRows());
    return rows.stream();
  }

  private static List<Row> encodingRows() {
    return List.of(
        rejects("gzip: garbage after a gzip header", 400, "bad_encoding",
            c -> encoded(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6, 7, 8, 9}, "gzip")),
        rejects("gzip: random bytes", 400, "bad_encoding", c -> encoded(randomBytes(512, 7), "gzip")),
        rejects("gzip: a valid batch truncated in the middle", 400, "bad_encoding",
            c -> encoded(truncate(gzip(validBatch(c)), 0.5), "gzip")),
        rejects("gzip: a valid batch missing its CRC/size trailer", 400, "bad_encoding",
            c -> { byte[] gz = gzip(validBatch(c)); return encoded(Arrays.copyOf(gz, gz.length - 8), "gzip"); }),
        rejects("gzip: a valid batch with garbage appended", 400, "bad_encoding",
            c -> encoded(concat(gzip(validBatch(c)), new byte[] {1, 2, 3}), "gzip")),
        rejects("gzip: plain JSON declared as gzip", 400, "bad_encoding",
            c -> encoded(validBatch(c), "gzip")),
        rejects("deflate: garbage", 400, "bad_encoding", c -> encoded(randomBytes(300, 11), "deflate")),
        rejects("deflate: a valid batch truncated", 400, "bad_encoding",
            c -> encoded(truncate(deflate(validBatch(c)), 0.6), "deflate")),
        rejects("gzip bomb: 256 MiB of zeros in a small body is refused at the decoded limit", 413,
            "payload_too_large", c -> encoded(gzipBomb(), "gzip")),
        rejects("deflate bomb: 128 MiB of zeros", 413, "payload_too_large",
            c -> encoded(deflateBomb(), "deflate")),
        rejects("body larger than 4 MiB as received", 413, "payload_too_large",
            c -> encoded(bigIdentityBody(c), "identity")),
        rejects("unknown Content-Encoding br", 415, "unsupported_encoding", c -> encoded(validBatch(c), "br")),
        rejects("stacked Content-Encoding 'gzip, gzip'", 415, "unsupported_encoding",
            c -> encoded(gzip(gzip(validBatch(c))), "gzip, gzip")));
  }

  private static List<Row> jsonRows() {
    return List.of(
        rejects("JSON: truncated object", 400, "invalid_request", c -> raw("{\"deviceId\":\"" + c.device() + "\",")),
        rejects("JSON: empty body", 400, "invalid_request", c -> raw("")),
        rejects("JSON: top level is an array", 400, "invalid_request", c -> raw("[" + text(validBatch(c)) + "]")),
        rejects("JSON: top level is a string", 400, "invalid_request", c -> raw("\"changes\"")),
        rejects("JSON: top level is null", 400, "invalid_request", c -> raw("null")),
        rejects("JSON: a second value after the object", 400, "invalid_request",
            c -> raw(text(validBatch(c)) + " {}")),
        rejects("JSON: nesting 40 levels deep inside customFields", 400, "invalid_request",
            c -> json(batch(c.device(), "task", task(uniqueId("t"), clock(c.device(), 1), "deep")
                .put("customFields", nested(40))))),
        rejects("JSON: duplicate top-level key", 400, "invalid_request",
            c -> raw("{\"deviceId\":\"" + c.device() + "\",\"deviceId\":\"" + c.device() + "\",\"changes\":{}}")),
        rejects("JSON: duplicate key inside an item", 400, "invalid_request",
            c -> raw("{\"deviceId\":\"" + c.device() + "\",\"changes\":{\"task\":[{\"id\":\"t-dup\",\"title\":\"a\","
                + "\"title\":\"b\",\"vectorClock\":{\"" + c.device() + "\":1}}]}}")),
        rejects("JSON: number 1e400 (overflows a double)", 400, "invalid_request",
            c -> raw("{\"deviceId\":\"" + c.device() + "\",\"timestamp\":1e400,\"changes\":{}}")),
        rejects("JSON: integer 123456789012345678901234567890 (overflows a long)", 400, "invalid_request",
            c -> raw("{\"deviceId\":\"" + c.device() + "\",\"changes\":{\"task\":[{\"id\":\"t-big\",\"title\":\"x\","
                + "\"vectorClock\":{\"" + c.device() + "\":123456789012345678901234567890}}]}}")),
        rejects("JSON: a 500-digit number", 400, "invalid_request",
            c -> raw("{\"deviceId\":\"" + c.device() + "\",\"timestamp\":" + "9".repeat(500) + ",\"changes\":{}}")),
        rejects("JSON: NaN literal", 400, "invalid_request",
            c -> raw("{\"deviceId\":\"" + c.device() + "\",\"timestamp\":NaN,\"changes\":{}}")),
        rejects("JSON: single-quoted strings", 400, "invalid_request",
            c -> raw("{'deviceId':'" + c.device() + "','changes':{}}")),
        rejects("JSON: invalid UTF-8 byte sequence in a title", 400, "invalid_request",
            c -> identity(concat(utf8("{\"deviceId\":\"" + c.device() + "\",\"changes\":{\"task\":[{\"id\":\"t-u\","
                + "\"vectorClock\":{\"" + c.device() + "\":1},\"title\":\""),
                new byte[] {(byte) 0xc3, 0x28}, utf8("\"}]}}")))),
        rejects("JSON: overlong UTF-8 encoding of '/'", 400, "invalid_request",
            c -> identity(concat(utf8("{\"deviceId\":\"" + c.device() + "\",\"x\":\""),
                new byte[] {(byte) 0xc0, (byte) 0xaf}, utf8("\",\"changes\":{}}")))),
        rejects("JSON: UTF-16 body with a byte-order mark", 400, "invalid_request",
            c -> identity(utf16(text(validBatch(c)), true))),
        rejects("JSON: UTF-16LE body without a byte-order mark", 400, "invalid_request",
            c -> identity(utf16(text(validBatch(c)), false))),
        rejects("JSON: a control character inside a string", 400, "invalid_request",
            c -> raw("{\"deviceId\":\"" + c.device() + "\",\"x\":\"a\u0001b\",\"changes\":{}}")));
  }

  private static List<Row> envelopeRows() {
    return List.of(
        rejects("envelope: changes missing", 400, "invalid_request",
            c -> json(new JsonObject().put("deviceId", c.device()))),
        rejects("envelope: changes is an array", 400, "invalid_request",
            c -> json(new JsonObject().put("deviceId", c.device()).put("changes", new JsonArray()))),
        rejects("envelope: changes is a string", 400, "invalid_request",
            c -> json(new JsonObject().put("deviceId", c.device()).put("changes", "task"))),
        rejects("envelope: changes.task is an object, not an array", 400, "invalid_request",
            c -> json(new JsonObject().put("deviceId", c.device()).put("changes", new JsonObject()
                .put("task", task("t-obj", clock(c.device(), 1), "x"))))),
        rejects("envelope: changes.task holds non-objects", 400, "invalid_request",
            c -> json(new JsonObject().put("deviceId", c.device()).put("changes", new JsonObject()
                .put("task", new JsonArray().add(task(uniqueId("t"), clock(c.device(), 1), "ok")).add(1).add("t2"))))),
        rejects("envelope: deviceId missing", 400, "invalid_request",
            c -> json(validBatchJson(c).copy().putNull("deviceId"))),
        rejects("envelope: deviceId with a slash and dots", 400, "invalid_request",
            c -> json(validBatchJson(c).put("deviceId", "../../etc/passwd"))),
        rejects("envelope: deviceId that looks like SQL", 400, "invalid_request",
            c -> json(validBatchJson(c).put("deviceId", "dev'; DROP TABLE devices;--"))),
        rejects("envelope: deviceId of 129 characters", 400, "invalid_request",
            c -> json(validBatchJson(c).put("deviceId", "d".repeat(129)))),
        rejects("envelope: deviceId is a number", 400, "invalid_request",
            c -> json(validBatchJson(c).put("deviceId", 42))),
        rejects("envelope: deviceId and X-Device-Id differ", 400, "invalid_request",
            c -> { Req req = json(validBatchJson(c)); req.headers().add("X-Device-Id", uniqueId("dev")); return req; }),
        rejects("envelope: batchId that looks like SQL", 400, "invalid_request",
            c -> json(validBatchJson(c).put("batchId", "b1'); DELETE FROM push_batches;--"))),
        rejects("envelope: batchId with spaces", 400, "invalid_request",
            c -> json(validBatchJson(c).put("batchId", "batch one"))),
        rejects("envelope: 501 items", 413, "too_many_items", c -> json(manyItems(c, 501))),
        rejects("envelope: checksumAlgorithm md5", 400, "invalid_request",
            c -> json(validBatchJson(c).put("checksumAlgorithm", "md5"))),
        rejects("envelope: timestamp is a string", 400, "invalid_request",
            c -> json(validBatchJson(c).put("timestamp", "yesterday"))),
        rejects("envelope: device vectorClock is an array", 400, "invalid_request",
            c -> json(validBatchJson(c).put("vectorClock", new JsonArray().add(1)))),
        rejects("envelope: device vectorClock with a negative counter", 400, "invalid_request",
            c -> json(validBatchJson(c).put("vectorClock", clock(c.device(), -1)))),
        rejects("envelope: unknown entity type 'widget'", 400, "unknown_entity_type",
            c -> json(batch(c.device(), "task", task(uniqueId("t"), clock(c.device(), 1), "ok"),
                "widget", new JsonObject().put("id", "w1").put("vectorClock", clock(c.device(), 1))))),
        rejects("envelope: entity type that looks like SQL '" + SQL_TYPE + "'", 400, "unknown_entity_type",
            c -> json(batch(c.device(), "task", task(uniqueId("t"), clock(c.device(), 1), "ok"),
                SQL_TYPE, task("t1", clock(c.device(), 1), "x")))),
        rejects("envelope: entity type that looks like a table-name escape 'tasks\"--'", 400, "unknown_entity_type",
            c -> json(batch(c.device(), "tasks\"--", task("t1", clock(c.device(), 1), "x")))),
        rejects("envelope: entity type in the wrong case 'Task'", 400, "unknown_entity_type",
            c -> json(batch(c.device(), "Task", task("t1", clock(c.device(), 1), "x")))),
        rejects("media type: text/plain", 415, "unsupported_media_type",
            c -> { Req req = json(validBatchJson(c)); req.headers().set("Content-Type", "text/plain"); return req; }));
  }

  private static List<Row> itemRows() {
    String task = "task";
    return List.of(
        item("item: unknown field isAdmin", "validation", task, "t-bad",
            c -> badTask(c).put("isAdmin", true)),
        item("item: title of 501 characters", "validation", task, "t-bad",
            c -> badTask(c).put("title", "x".repeat(501))),
        item("item: empty title", "validation", task, "t-bad", c -> badTask(c).put("title", "")),
        item("item: title is a number", "validation", task, "t-bad", c -> badTask(c).put("title", 42)),
        item("item: title containing U+0000", "validation", task, "t-bad", c -> badTask(c).put("title", "a\u0000b")),
        item("item: title with an unpaired surrogate escape (cannot be stored as UTF-8)", "validation", task,
            "t-bad", c -> badTask(c).put("title", "a\ud800b")),
        item("item: customFields key with an unpaired surrogate escape", "validation", task, "t-bad",
            c -> badTask(c).put("customFields", new JsonObject().put("k\udc00", 1))),
        item("item: description of 100 001 characters", "validation", task, "t-bad",
            c -> badTask(c).put("description", "d".repeat(100_001))),
        item("item: status of 65 characters", "validation", task, "t-bad",
            c -> badTask(c).put("status", "s".repeat(65))),
        item("item: 65 tags", "validation", task, "t-bad", c -> badTask(c).put("tags", tags(65))),
        item("item: a tag that is not a string", "validation", task, "t-bad",
            c -> badTask(c).put("tags", new JsonArray().add("ok").add(new JsonObject()))),
        item("item: customFields larger than 64 KiB", "validation", task, "t-bad",
            c -> badTask(c).put("customFields", new JsonObject().put("blob", "b".repeat(64 * 1024)))),
        item("item: customFields is an array", "validation", task, "t-bad",
            c -> badTask(c).put("customFields", new JsonArray().add(1))),
        item("item: dueDate negative", "validation", task, "t-bad", c -> badTask(c).put("dueDate", -1)),
        item("item: vectorClock missing", "validation", task, "t-bad", c -> badTask(c).putNull("vectorClock")),
        item("item: vectorClock key with a space", "validation", task, "t-bad",
            c -> badTask(c).put("vectorClock", new JsonObject().put("dev a", 1))),
        item("item: vectorClock key that looks like SQL", "validation", task, "t-bad",
            c -> badTask(c).put("vectorClock", new JsonObject().put("dev'; DROP TABLE tasks;--", 1))),
        item("item: vectorClock value is a string", "validation", task, "t-bad",
            c -> badTask(c).put("vectorClock", new JsonObject().put(c.device(), "1"))),
        item("item: vectorClock with 257 entries", "validation", task, "t-bad",
            c -> badTask(c).put("vectorClock", bigClock(257))),
        item("item: negative vectorClock counter", "validation", task, "t-bad",
            c -> badTask(c).put("vectorClock", new JsonObject().put(c.device(), -1))),
        item("item: fractional vectorClock counter", "validation", task, "t-bad",
            c -> badTask(c).put("vectorClock", new JsonObject().put(c.device(), 1.5))),
        item("item: vectorClock counter above 2^53-1", "validation", task, "t-bad",
            c -> badTask(c).put("vectorClock", new JsonObject().put(c.device(), 9007199254740992L))),
        item("item: operation upsert", "validation", task, "t-bad", c -> badTask(c).put("operation", "upsert")),
        item("item: priority 9", "validation", task, "t-bad", c -> badTask(c).put("priority", 9)),
        item("item: changedFields names an unknown field", "validation", task, "t-bad",
            c -> badTask(c).put("changedFields", new JsonArray().add("password"))),
        item("item: entityType names another type", "validation", task, "t-bad",
            c -> badTask(c).put("entityType", "comment")),
        item("item: organizationId of another organization", "forbidden", task, "t-bad",
            c -> badTask(c).put("organizationId", uniqueId("other-org"))),
        // A string id that is not a valid id is echoed as sent (Appendix A rule 6, v1.1).
        item("item: id that looks like SQL '" + SQL_ID + "'", "validation", task, SQL_ID,
            c -> task(SQL_ID, clock(c.device(), 1), "sql id")),
        item("item: id that is a path '../../etc/passwd'", "validation", task, "../../etc/passwd",
            c -> task("../../etc/passwd", clock(c.device(), 1), "path id")),
        item("item: id '..'", "validation", task, "..", c -> task("..", clock(c.device(), 1), "dots")),
        item("item: id of 129 characters", "validation", task, "i".repeat(129),
            c -> task("i".repeat(129), clock(c.device(), 1), "long id")),
        item("item: id of 5,000 characters (echoed cut to 1,024)", "validation", task, "j".repeat(1024),
            c -> task("j".repeat(5000), clock(c.device(), 1), "very long id")),
        item("item: id containing U+0000 (echoed with U+FFFD)", "validation", task, "nul\ufffdid",
            c -> task("nul\u0000id", clock(c.device(), 1), "nul id")),
        item("item: id is a number", "validation", task, null,
            c -> task("x", clock(c.device(), 1), "numeric id").put("id", 7)),
        item("item: comment taskId that looks like SQL", "validation", "comment", "c-bad",
            c -> comment("c-bad", "t1' OR '1'='1", clock(c.device(), 1), "hello")),
        item("item: comment taskId that is a path", "validation", "comment", "c-bad",
            c -> comment("c-bad", "../tasks/t1", clock(c.device(), 1), "hello")),
        item("item: attachment with a negative size", "validation", "attachment", "a-bad",
            c -> attachment("a-bad", "seed", clock(c.device(), 1), "f.txt").put("size", -5)),
        item("item: attachment filename of 256 characters", "validation", "attachment", "a-bad",
            c -> attachment("a-bad", "seed", clock(c.device(), 1), "f".repeat(256))),
        item("item: queue-item form whose payload.id differs from entityId", "validation", task, "t-bad",
            c -> new JsonObject().put("entityType", "task").put("entityId", "t-bad").put("operation", "create")
                .put("payload", task("t-other", clock(c.device(), 1), "x"))));
  }

  private static List<Row> tokenRows() {
    return List.of(
        rejects("token: none at all", 401, "unauthorized", c -> bearer(c, null)),
        rejects("token: alg none", 401, "unauthorized",
            c -> bearer(c, unsigned(new JsonObject().put("alg", "none").put("typ", "JWT"), claims(c)))),
        rejects("token: alg None with an HS256 signature appended", 401, "unauthorized",
            c -> bearer(c, hmac("None", "HmacSHA256", claims(c), GatewayHarness.SECRET))),
        rejects("token: signed with another secret", 401, "unauthorized",
            c -> bearer(c, new TokenService(signingVertx, OTHER_SECRET).issue(c.user(), c.org(), Role.ADMIN, 3600))),
        rejects("token: HS512 with the right secret (algorithm not configured)", 401, "unauthorized",
            c -> bearer(c, hmac("HS512", "HmacSHA512", claims(c), GatewayHarness.SECRET))),
        rejects("token: expired", 401, "unauthorized",
            c -> bearer(c, hmac("HS256", "HmacSHA256", claims(c).put("exp", nowSeconds() - 3600), GatewayHarness.SECRET))),
        rejects("token: not valid before next hour", 401, "unauthorized",
            c -> bearer(c, hmac("HS256", "HmacSHA256", claims(c).put("nbf", nowSeconds() + 3600), GatewayHarness.SECRET))),
        rejects("token: exp is a string", 401, "unauthorized",
            c -> bearer(c, hmac("HS256", "HmacSHA256", claims(c).put("exp", "never"), GatewayHarness.SECRET))),
        rejects("token: sub missing", 401, "unauthorized",
            c -> bearer(c, hmac("HS256", "HmacSHA256", without(claims(c), "sub"), GatewayHarness.SECRET))),
        rejects("token: org missing", 401, "unauthorized",
            c -> bearer(c, hmac("HS256", "HmacSHA256", without(claims(c), "org"), GatewayHarness.SECRET))),
        rejects("token: sub is a number", 401, "unauthorized",
            c -> bearer(c, hmac("HS256", "HmacSHA256", claims(c).put("sub", 12), GatewayHarness.SECRET))),
        rejects("token: org of 129 characters", 401, "unauthorized",
            c -> bearer(c, hmac("HS256", "HmacSHA256", claims(c).put("org", "o".repeat(129)), GatewayHarness.SECRET))),
        rejects("token: sub with an unpaired surrogate escape", 401, "unauthorized",
            c -> bearer(c, hmac("HS256", "HmacSHA256", claims(c).put("sub", "u\ud800"), GatewayHarness.SECRET))),
        rejects("token: unknown role superuser", 401, "unauthorized",
            c -> bearer(c, hmac("HS256", "HmacSHA256", claims(c).put("role", "superuser"), GatewayHarness.SECRET))),
        rejects("token: role in the wrong case 'Admin'", 401, "unauthorized",
            c -> bearer(c, hmac("HS256", "HmacSHA256", claims(c).put("role", "Admin"), GatewayHarness.SECRET))),
        rejects("token: signature stripped", 401, "unauthorized",
            c -> { String t = gateway.token(c.user(), c.org()); return bearer(c, t.substring(0, t.lastIndexOf('.') + 1)); }),
        rejects("token: payload swapped to another organization, signature kept", 401, "unauthorized",
            c -> bearer(c, swapPayload(gateway.token(c.user(), c.org()), claims(c).put("org", uniqueId("victim"))))),
        rejects("token: not a JWT", 401, "unauthorized", c -> bearer(c, "not-a-jwt")),
        rejects("token: header is not base64 JSON", 401, "unauthorized", c -> bearer(c, "%%%.e30.abc")),
        rejects("token: Basic scheme instead of Bearer", 401, "unauthorized",
            c -> { Req req = bearer(c, null); req.headers().add("Authorization", "Basic YWxpY2U6c2VjcmV0"); return req; }));
  }

  private static List<Row> accessRows() {
    return List.of(
        rejects("role: viewer may not push", 403, "forbidden",
            c -> bearer(c, gateway.token(c.user(), c.org(), Role.VIEWER))),
        rejects("device: a device bound to a user of another organization", 403, "device_owned_by_other_user",
            c -> {
              String device = uniqueId("dev-taken");
              String thief = gateway.token("owner", uniqueId("org-owner"));
              assertThat(gateway.get(thief, "/api/sync/pull?deviceId=" + device).statusCode()).isEqualTo(200);
              return json(batch(device, "task", task(uniqueId("t"), clock(device, 1), "mine now")));
            }),
        rejects("device: a device bound to another user of the same organization", 403, "device_owned_by_other_user",
            c -> {
              String device = uniqueId("dev-taken");
              String colleague = gateway.token(uniqueId("colleague"), c.org());
              assertThat(gateway.get(colleague, "/api/sync/pull?deviceId=" + device).statusCode()).isEqualTo(200);
              return json(batch(device, "task", task(uniqueId("t"), clock(device, 1), "mine now")));
            }));
  }

  private static List<Row> readRows() {
    return List.of(
        rejects("GET: task id that looks like SQL", 404, "not_found",
            c -> get(c, "/api/tasks/t1'%20OR%20'1'='1")),
        rejects("GET: task id that is an encoded path", 404, "not_found",
            c -> get(c, "/api/tasks/..%2F..%2Fetc%2Fpasswd/comments")),
        rejects("pull: types that look like SQL", 400, "unknown_entity_type",
            c -> get(c, "/api/sync/pull?types=tasks%3BDELETE%20FROM%20tasks")),
        rejects("pull: deviceId that looks like SQL", 400, "invalid_request",
            c -> get(c, "/api/sync/pull?deviceId=x'%20OR%201=1--")),
        rejects("pull: forged cursor", 400, "invalid_cursor",
            c -> get(c, "/api/sync/pull?since=c1'%20OR%201=1")),
        rejects("pull: limit of 10 million", 400, "invalid_request",
            c -> get(c, "/api/sync/pull?limit=10000000")),
        rejects("pull: negative offset", 400, "invalid_request",
            c -> get(c, "/api/sync/pull?since=1&offset=-5")));
  }

  // ---------------------------------------------------------------- the test

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  @DisplayName("a hostile request")
  void hostileRequest(Row row) {
    Ctx c = Ctx.fresh();
    gateway.pushOk(c.token(), batch(c.device(),
        "task", task("seed", clock(c.device(), 1), "seed task"),
        "comment", comment("seed-c", "seed", clock(c.device(), 1), "seed comment")));
    JsonObject before = snapshot(c);

    if (row.level() == Level.REQUEST) {
      Req req = row.request().apply(c);
      HttpResponse<Buffer> response = send(ROW_TOKEN.equals(req.token()) ? req.withToken(c.token()) : req);
      assertProblem(response, row.status(), row.code());
      assertThat(snapshot(c)).as("the organization after %s", row.name()).isEqualTo(before);
    } else {
      String goodId = uniqueId("good");
      JsonObject body = batch(c.device(), "task", task(goodId, clock(c.device(), 1), "good task"),
          row.type(), row.badItem().apply(c));
      HttpResponse<Buffer> response = send(json(body).withToken(c.token()));
      assertThat(response.statusCode()).as("status, body %s", abbreviate(response.bodyAsString())).isEqualTo(200);
      JsonObject result = response.bodyAsJsonObject();
      assertThat(result.getInteger("processed")).as("processed: only the good item").isEqualTo(1);
      assertThat(result.getJsonArray("conflicts")).isEmpty();
      assertThat(result.getJsonArray("superseded")).isEmpty();
      JsonArray rejected = result.getJsonArray("rejected");
      assertThat(rejected).hasSize(1);
      JsonObject rejection = rejected.getJsonObject(0);
      assertThat(rejection.getString("code")).isEqualTo(row.code());
      assertThat(rejection.getString("entityType")).isEqualTo(row.type());
      assertThat(rejection.getString("entityId")).isEqualTo(row.badId());
      assertThat(rejection.getBoolean("retryable")).isFalse();
      assertThat(rejection.getString("message")).isNotBlank().doesNotContain("Exception");

      JsonObject after = snapshot(c);
      assertThat(ids(after, "tasks")).containsExactlyInAnyOrderElementsOf(plus(ids(before, "tasks"), goodId));
      assertThat(after.getJsonArray("comments")).isEqualTo(before.getJsonArray("comments"));
      assertThat(after.getJsonArray("attachments")).isEqualTo(before.getJsonArray("attachments"));
      assertThat(after.getJsonArray("tombstones")).isEqualTo(before.getJsonArray("tombstones"));
      if (Ids.isValid(row.badId())) {
        assertThat(gateway.get(c.token(), "/api/tasks/" + row.badId()).statusCode()).isEqualTo(404);
      }
    }
    assertReady();
  }

  @Test
  @DisplayName("the table covers at least 40 distinct inputs with distinct names")
  void tableIsLargeEnough() {
    List<String> names = rows().map(Row::name).toList();
    assertThat(names).hasSizeGreaterThanOrEqualTo(40).doesNotHaveDuplicates();
  }

  @Test
  @DisplayName("the gzip bomb is answered quickly, without inflating it")
  void gzipBombIsQuick() {
    Ctx c = Ctx.fresh();
    byte[] bomb = gzipBomb();
    assertThat(bomb.length).as("compressed size").isLessThan(1024 * 1024);
    long started = System.nanoTime();
    HttpResponse<Buffer> response = send(encoded(bomb, "gzip").withToken(c.token()));
    long millis = (System.nanoTime() - started) / 1_000_000;
    assertProblem(response, 413, "payload_too_large");
    assertThat(millis).as("answer time of a 256 MiB bomb in ms").isLessThan(5_000);
  }

  @Test
  @DisplayName("SQL-looking domain values are stored verbatim and the tables keep working")
  void sqlLookingValuesAreData() {
    Ctx c = Ctx.fresh();
    String id = "t1--DROP.TABLE.tasks";
    JsonObject customFields = new JsonObject().put("'; DROP TABLE comments;--", "1 OR 1=1")
        .put("nested", new JsonObject().put("$where", "sleep(1000)"));
    JsonArray tags = new JsonArray().add("' OR ''='").add("<script>alert(1)</script>").add("tasks; DELETE FROM tasks");
    JsonObject pushed = task(id, clock(c.device(), 1), "Robert'); DROP TABLE tasks;--")
        .put("description", "1; DELETE FROM tasks WHERE '1'='1'; --")
        .put("status", "done' --")
        .put("assignedTo", "admin'--")
        .put("tags", tags)
        .put("customFields", customFields);
    JsonObject response = gateway.pushOk(c.token(), batch(c.device(), "task", pushed,
        "comment", comment("c1", id, clock(c.device(), 1), "'); DELETE FROM comments; --")));
    assertThat(response.getInteger("processed")).isEqualTo(2);

    JsonObject stored = gateway.getOk(c.token(), "/api/tasks/" + id);
    assertThat(stored.getString("title")).isEqualTo("Robert'); DROP TABLE tasks;--");
    assertThat(stored.getString("description")).isEqualTo("1; DELETE FROM tasks WHERE '1'='1'; --");
    assertThat(stored.getString("status")).isEqualTo("done' --");
    assertThat(stored.getString("assignedTo")).isEqualTo("admin'--");
    assertThat(stored.getJsonArray("tags")).isEqualTo(tags);
    assertThat(stored.getJsonObject("customFields")).isEqualTo(customFields);
    assertThat(gateway.getOk(c.token(), "/api/tasks/" + id + "/comments").getJsonArray("comments").getJsonObject(0)
        .getString("content")).isEqualTo("'); DELETE FROM comments; --");

    // The tables are intact: another write and a full pull still work, and show everything.
    gateway.pushOk(c.token(), batch(c.device(), "task", task("after", clock(c.device(), 1), "after")));
    JsonObject all = gateway.pullAll(c.token(), null, 100);
    assertThat(ids(all, "tasks")).containsExactlyInAnyOrder(id, "after");
    assertThat(ids(all, "comments")).containsExactly("c1");
    assertReady();
  }

  @Test
  @DisplayName("an SQL-looking id rejected for one organization leaves every organization's tables working")
  void sqlLookingIdsLeaveOtherOrganizationsAlone() {
    Ctx victim = Ctx.fresh();
    gateway.pushOk(victim.token(), batch(victim.device(), "task", task("t1", clock(victim.device(), 1), "victim")));
    Ctx attacker = Ctx.fresh();

    JsonObject response = gateway.pushOk(attacker.token(), batch(attacker.device(),
        "task", task(SQL_ID, clock(attacker.device(), 1), "x"),
        "task", task("t1", clock(attacker.device(), 1), "attacker's own t1")));

    assertThat(response.getInteger("processed")).isEqualTo(1);
    assertThat(gateway.getOk(victim.token(), "/api/tasks/t1").getString("title")).isEqualTo("victim");
    assertThat(gateway.getOk(attacker.token(), "/api/tasks/t1").getString("title")).isEqualTo("attacker's own t1");
    assertThat(ids(gateway.pullAll(victim.token(), null, 100), "tasks")).containsExactly("t1");
  }

  @Test
  @DisplayName("a hostile id echoed in a rejection is kept with its batchId and replayed identically")
  void echoedIdSurvivesBatchRecord() {
    Ctx c = Ctx.fresh();
    String hostileId = "bad id \u0000 \ud800 " + "k".repeat(5000);
    JsonObject body = batch(c.device(), "task", task(hostileId, clock(c.device(), 1), "x"))
        .put("batchId", uniqueId("batch"));

    HttpResponse<Buffer> first = send(json(body).withToken(c.token()));
    HttpResponse<Buffer> replayed = send(json(body).withToken(c.token()));

    assertThat(first.statusCode()).as("first push answered %s", abbreviate(first.bodyAsString())).isEqualTo(200);

    String echoed = first.bodyAsJsonObject().getJsonArray("rejected").getJsonObject(0).getString("entityId");
    assertThat(echoed).startsWith("bad id \ufffd \ufffd kkk").hasSize(1024);
    assertThat(replayed.bodyAsJsonObject()).isEqualTo(first.bodyAsJsonObject());
  }

  @Test
  @DisplayName("a field name or clock key with U+0000, quoted in a rejection, is kept with its batchId (not a 503)")
  void quotedTextSurvivesBatchRecord() {
    Ctx c = Ctx.fresh();
    JsonObject body = batch(c.device(),
        "task", task(uniqueId("t"), clock(c.device(), 1), "x").put("field\u0000", 1),
        "task", task(uniqueId("t"), new JsonObject().put("key\u0000", 1), "x"))
        .put("batchId", uniqueId("batch"));

    HttpResponse<Buffer> first = send(json(body).withToken(c.token()));
    HttpResponse<Buffer> replayed = send(json(body).withToken(c.token()));

    assertThat(first.statusCode()).as("first push answered %s", abbreviate(first.bodyAsString())).isEqualTo(200);
    JsonArray rejected = first.bodyAsJsonObject().getJsonArray("rejected");
    assertThat(rejected).hasSize(2);
    assertThat(rejected.getJsonObject(0).getString("message")).contains("field\ufffd");
    assertThat(rejected.getJsonObject(1).getString("message")).contains("key\ufffd");
    assertThat(replayed.bodyAsJsonObject()).isEqualTo(first.bodyAsJsonObject());
  }

  @Test
  @DisplayName("problems are counted in /metrics by status and code")
  void problemsAreCounted() {
    Ctx c = Ctx.fresh();
    assertProblem(send(encoded(new byte[] {1, 2, 3}, "gzip").withToken(c.token())), 400, "bad_encoding");
    assertProblem(send(bearer(c, "nope")), 401, "unauthorized");

    String metrics = gateway.get(null, "/metrics").bodyAsString();
    assertThat(metrics).containsPattern("sync_problems_total\\{code=\"bad_encoding\",status=\"400\"\\} [1-9]");
    assertThat(metrics).containsPattern("sync_problems_total\\{code=\"unauthorized\",status=\"401\"\\} [1-9]");
  }

  // ---------------------------------------------------------------- assertions

  private static void assertProblem(HttpResponse<Buffer> response, int status, String code) {
    String body = response.bodyAsString();
    assertThat(response.statusCode()).as("status; body %s", abbreviate(body)).isEqualTo(status);
    assertThat(response.getHeader("Content-Type")).startsWith("application/problem+json");
    JsonObject problem = response.bodyAsJsonObject();
    assertThat(problem.getString("code")).isEqualTo(code);
    assertThat(problem.getInteger("status")).isEqualTo(status);
    assertThat(problem.getString("type")).endsWith(code);
    assertThat(problem.getString("title")).isNotBlank();
    assertThat(problem.getString("detail")).isNotBlank();
    assertThat(body).doesNotContain("Exception").doesNotContain("\tat ").doesNotContain("io.syncgateway.");
    if (status == 401) {
      assertThat(problem.getString("detail")).isEqualTo("Missing or invalid bearer token");
    }
  }

  private static void assertReady() {
    HttpResponse<Buffer> ready = gateway.get(null, "/health/ready");
    assertThat(ready.statusCode()).as("ready: %s", ready.bodyAsString()).isEqualTo(200);
    assertThat(ready.bodyAsJsonObject().getString("status")).isEqualTo("UP");
  }

  /** What a full pull of the organization returns, without the parts that move with time. */
  private static JsonObject snapshot(Ctx c) {
    JsonObject all = gateway.pullAll(c.token(), null, 1000);
    return new JsonObject()
        .put("tasks", all.getJsonArray("tasks"))
        .put("comments", all.getJsonArray("comments"))
        .put("attachments", all.getJsonArray("attachments"))
        .put("tombstones", all.getJsonArray("tombstones"))
        .put("serverVectorClock", all.getJsonObject("serverVectorClock"));
  }

  private static List<String> ids(JsonObject pull, String array) {
    return pull.getJsonArray(array).stream().map(entity -> ((JsonObject) entity).getString("id")).toList();
  }

  private static List<String> plus(List<String> ids, String id) {
    List<String> all = new ArrayList<>(ids);
    all.add(id);
    return all;
  }

  // ---------------------------------------------------------------- requests

  private static HttpResponse<Buffer> send(Req req) {
    HttpRequest<Buffer> request = gateway.client().request(io.vertx.core.http.HttpMethod.valueOf(req.method()), req.path())
        .putHeaders(req.headers());
    if (req.token() != null) {
      request.putHeader("Authorization", "Bearer " + req.token());
    }
    return req.body() == null ? request.send().await() : request.sendBuffer(Buffer.buffer(req.body())).await();
  }

  /** Placeholder token: rows are built before their context; {@link #hostileRequest} fills it in. */
  private static final String ROW_TOKEN = "\u0000row-token";

  private static Req push(byte[] body, String contentType, String encoding) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("Content-Type", contentType);
    if (encoding != null) {
      headers.add("Content-Encoding", encoding);
    }
    return new Req("POST", "/api/sync/push", headers, body, ROW_TOKEN);
  }

  private static Req encoded(byte[] body, String encoding) {
    return push(body, "application/json", encoding);
  }

  private static Req identity(byte[] body) {
    return push(body, "application/json", null);
  }

  private static Req raw(String text) {
    return identity(utf8(text));
  }

  private static Req json(JsonObject body) {
    return identity(utf8(escapeLoneSurrogates(body.encode())));
  }

  private static Req bearer(Ctx c, String token) {
    return json(validBatchJson(c)).withToken(token);
  }

  private static Req get(Ctx c, String path) {
    return new Req("GET", path, MultiMap.caseInsensitiveMultiMap(), null, ROW_TOKEN);
  }

  // ---------------------------------------------------------------- bodies

  private static JsonObject validBatchJson(Ctx c) {
    return batch(c.device(), "task", task(uniqueId("t"), clock(c.device(), 1), "would be applied"));
  }

  private static byte[] validBatch(Ctx c) {
    return utf8(validBatchJson(c).encode());
  }

  private static JsonObject badTask(Ctx c) {
    return task("t-bad", clock(c.device(), 1), "bad task");
  }

  private static JsonObject manyItems(Ctx c, int count) {
    JsonArray items = new JsonArray();
    for (int i = 0; i < count; i++) {
      items.add(task("t" + i, clock(c.device(), 1), "item " + i));
    }
    return new JsonObject().put("deviceId", c.device()).put("changes", new JsonObject().put("task", items));
  }

  private static byte[] bigIdentityBody(Ctx c) {
    JsonObject body = validBatchJson(c).put("padding", "p".repeat(4 * 1024 * 1024 + 16));
    return utf8(body.encode());
  }

  private static JsonObject nested(int depth) {
    JsonObject root = new JsonObject();
    JsonObject current = root;
    for (int i = 0; i < depth; i++) {
      JsonObject next = new JsonObject();
      current.put("n", next);
      current = next;
    }
    return root;
  }

  private static JsonArray tags(int count) {
    JsonArray tags = new JsonArray();
    for (int i = 0; i < count; i++) {
      tags.add("tag" + i);
    }
    return tags;
  }

  private static JsonObject bigClock(int entries) {
    JsonObject clock = new JsonObject();
    for (int i = 0; i < entries; i++) {
      clock.put("dev-" + i, 1);
    }
    return clock;
  }

  private static synchronized byte[] gzipBomb() {
    if (gzipBomb == null) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (OutputStream gz = new GZIPOutputStream(out, 64 * 1024)) {
        writeZeros(gz, 256);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      gzipBomb = out.toByteArray();
    }
    return gzipBomb;
  }

  private static synchronized byte[] deflateBomb() {
    if (deflateBomb == null) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION);
      try (OutputStream z = new DeflaterOutputStream(out, deflater, 64 * 1024)) {
        writeZeros(z, 128);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } finally {
        deflater.end();
      }
      deflateBomb = out.toByteArray();
    }
    return deflateBomb;
  }

  private static void writeZeros(OutputStream out, int mebibytes) throws IOException {
    byte[] zeros = new byte[1024 * 1024];
    for (int i = 0; i < mebibytes; i++) {
      out.write(zeros);
    }
  }

  private static byte[] truncate(byte[] data, double fraction) {
    return Arrays.copyOf(data, (int) (data.length * fraction));
  }

  private static byte[] randomBytes(int length, long seed) {
    byte[] bytes = new byte[length];
    new java.util.Random(seed).nextBytes(bytes);
    return bytes;
  }

  /** JSON text with each unpaired surrogate written as a \\u escape, as a JavaScript client sends it. */
  private static String escapeLoneSurrogates(String json) {
    StringBuilder out = new StringBuilder(json.length());
    for (int i = 0; i < json.length(); i++) {
      char ch = json.charAt(i);
      if (Character.isHighSurrogate(ch) && i + 1 < json.length() && Character.isLowSurrogate(json.charAt(i + 1))) {
        out.append(ch).append(json.charAt(++i));
      } else if (Character.isSurrogate(ch)) {
        out.append(String.format("\\u%04x", (int) ch));
      } else {
        out.append(ch);
      }
    }
    return out.toString();
  }

  private static String text(byte[] utf8) {
    return new String(utf8, StandardCharsets.UTF_8);
  }

  private static byte[] utf16(String text, boolean bom) {
    return text.getBytes(bom ? StandardCharsets.UTF_16 : StandardCharsets.UTF_16LE);
  }

  private static String abbreviate(String text) {
    return text == null || text.length() <= 300 ? text : text.substring(0, 300) + "…";
  }

  // ---------------------------------------------------------------- tokens

  private static JsonObject claims(Ctx c) {
    return new JsonObject().put("sub", c.user()).put("org", c.org()).put("role", "admin")
        .put("exp", nowSeconds() + 3600);
  }

  private static JsonObject without(JsonObject claims, String name) {
    claims.remove(name);
    return claims;
  }

  private static long nowSeconds() {
    return System.currentTimeMillis() / 1000;
  }

  private static String b64(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static String unsigned(JsonObject header, JsonObject claims) {
    return b64(utf8(header.encode())) + "." + b64(utf8(claims.encode())) + ".";
  }

  /** A token signed by hand with an HMAC, whatever its header claims. */
  private static String hmac(String alg, String macAlgorithm, JsonObject claims, String secret) {
    String input = b64(utf8(new JsonObject().put("alg", alg).put("typ", "JWT").encode())) + "."
        + b64(utf8(escapeLoneSurrogates(claims.encode())));
    try {
      Mac mac = Mac.getInstance(macAlgorithm);
      mac.init(new SecretKeySpec(utf8(secret), macAlgorithm));
      return input + "." + b64(mac.doFinal(utf8(input)));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String swapPayload(String token, JsonObject claims) {
    String[] parts = token.split("\\.");
    return parts[0] + "." + b64(utf8(claims.encode())) + "." + parts[2];
  }

}
