package io.syncgateway.http;

import static io.syncgateway.testsupport.Changes.batch;
import static io.syncgateway.testsupport.Changes.clock;
import static io.syncgateway.testsupport.Changes.task;
import static io.syncgateway.testsupport.Changes.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;

import io.syncgateway.testsupport.Encodings;
import io.syncgateway.testsupport.GatewayHarness;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@DisplayName("Compression: pushed bodies in every supported coding apply; pulls are gzipped on request")
class CompressionTest {
  @RegisterExtension
  static final GatewayHarness gateway = GatewayHarness.perClass("compression");
  private String org;
  private String token;
  private String device;

  @BeforeEach
  void freshOrganization() {
    org = uniqueId("org");
    token = gateway.token("alice", org);
    device = uniqueId("dev");
  }

  static Stream<Arguments> codings() {
    return Stream.of(
        Arguments.of("gzip", "gzip", (UnaryOperator<byte[]>) Encodings::gzip),
        Arguments.of("gzip (upper-case header)", "GZIP", (UnaryOperator<byte[]>) Encodings::gzip),
        Arguments.of("deflate, zlib-wrapped (RFC 1950)", "deflate", (UnaryOperator<byte[]>) Encodings::deflate),
        Arguments.of("deflate, raw (RFC 1951)", "deflate", (UnaryOperator<byte[]>) b -> Encodings.deflate(b, true)),
        Arguments.of("identity, declared", "identity", UnaryOperator.<byte[]>identity()),
        Arguments.of("identity, no header", null, UnaryOperator.<byte[]>identity()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("codings")
  @DisplayName("a push in a supported content coding is decoded and applied")
  void pushInSupportedCodingApplies(String name, String contentEncoding, UnaryOperator<byte[]> encode) {
    String title = "Café ☕ 日本語 — " + name;
    byte[] json = batch(device, "task", task("t1", clock(device, 1), title).put("description", "d".repeat(5000)))
        .encode().getBytes(StandardCharsets.UTF_8);
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("Content-Type", "application/json");
    if (contentEncoding != null) {
      headers.add("Content-Encoding", contentEncoding);
    }

    HttpResponse<Buffer> response = gateway.pushBytes(token, encode.apply(json), headers);

    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    assertThat(response.bodyAsJsonObject().getInteger("processed")).isEqualTo(1);
    JsonObject stored = gateway.getOk(token, "/api/tasks/t1");
    assertThat(stored.getString("title")).isEqualTo(title);
    assertThat(stored.getString("description")).hasSize(5000);
  }

  @Test
  @DisplayName("a pull with Accept-Encoding: gzip answers Content-Encoding: gzip, and the gunzipped body is the pull JSON")
  void pullIsGzippedOnRequest() {
    seedTasks(50);

    HttpResponse<Buffer> response = pull("gzip");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.getHeader("Content-Encoding")).isEqualTo("gzip");
    byte[] raw = response.body().getBytes();
    assertThat(raw[0] & 0xff).isEqualTo(0x1f);
    assertThat(raw[1] & 0xff).isEqualTo(0x8b);
    JsonObject page = new JsonObject(new String(gunzip(raw), StandardCharsets.UTF_8));
    assertThat(page.fieldNames()).contains("tasks", "comments", "attachments", "tombstones", "serverVectorClock",
        "hasMore", "cursor", "timestamp", "retention");
    assertThat(page.getJsonArray("tasks")).hasSize(50);
    assertThat(page.getJsonArray("tasks").getJsonObject(0).getString("title")).startsWith("Tâche ");
  }

  @Test
  @DisplayName("the gzipped pull and the plain pull carry the same entities")
  void gzippedPullEqualsPlainPull() {
    seedTasks(20);

    JsonObject zipped = new JsonObject(new String(gunzip(pull("gzip").body().getBytes()), StandardCharsets.UTF_8));
    HttpResponse<Buffer> plainResponse = pull(null);
    JsonObject plain = plainResponse.bodyAsJsonObject();

    assertThat(zipped.getJsonArray("tasks")).isEqualTo(plain.getJsonArray("tasks"));
    assertThat(zipped.getJsonArray("tombstones")).isEqualTo(plain.getJsonArray("tombstones"));
    assertThat(zipped.getJsonObject("serverVectorClock")).isEqualTo(plain.getJsonObject("serverVectorClock"));
  }

  @Test
  @DisplayName("gzip makes a repetitive pull much smaller on the wire")
  void gzippedPullIsSmaller() {
    seedTasks(100);

    int zipped = pull("gzip").body().length();
    int plain = pull(null).body().length();

    assertThat(zipped).isLessThan(plain / 3);
  }

  @Test
  @DisplayName("a pull without Accept-Encoding is plain JSON")
  void pullWithoutAcceptEncodingIsPlain() {
    seedTasks(3);

    HttpResponse<Buffer> response = pull(null);

    assertThat(response.getHeader("Content-Encoding")).isNull();
    assertThat(response.bodyAsJsonObject().getJsonArray("tasks")).hasSize(3);
  }

  @Test
  @DisplayName("a pull with Accept-Encoding: identity is plain JSON")
  void pullWithIdentityIsPlain() {
    seedTasks(3);

    HttpResponse<Buffer> response = pull("identity");

    assertThat(response.getHeader("Content-Encoding")).isIn(null, "identity");
    assertThat(response.bodyAsJsonObject().getJsonArray("tasks")).hasSize(3);
  }

  @Test
  @DisplayName("a pull accepting several codings, gzip among them, is answered in a coding the client can read")
  void pullWithSeveralCodingsIsReadable() {
    seedTasks(10);

    HttpResponse<Buffer> response = pull("br;q=1.0, gzip;q=0.8, *;q=0.1");

    String coding = response.getHeader("Content-Encoding");
    assertThat(coding).isIn(null, "gzip", "deflate", "br");
    if ("gzip".equals(coding)) {
      JsonObject page = new JsonObject(new String(gunzip(response.body().getBytes()), StandardCharsets.UTF_8));
      assertThat(page.getJsonArray("tasks")).hasSize(10);
    }
  }

  @Test
  @DisplayName("an error answered to a client accepting gzip is still a readable problem")
  void problemIsReadableWhenGzipped() {
    HttpRequest<Buffer> request = gateway.client().get("/api/sync/pull?limit=0")
        .putHeader("Authorization", "Bearer " + token).putHeader("Accept-Encoding", "gzip");

    HttpResponse<Buffer> response = request.send().await();

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.getHeader("Content-Type")).startsWith("application/problem+json");
    byte[] raw = response.body().getBytes();
    byte[] body = "gzip".equals(response.getHeader("Content-Encoding")) ? gunzip(raw) : raw;
    assertThat(new JsonObject(new String(body, StandardCharsets.UTF_8)).getString("code")).isEqualTo("invalid_request");
  }

  private void seedTasks(int count) {
    JsonArray tasks = new JsonArray();
    for (int i = 0; i < count; i++) {
      tasks.add(task("t" + i, clock(device, 1), "Tâche " + i).put("description", "Lorem ipsum dolor sit amet ".repeat(20)));
    }
    gateway.pushOk(token, new JsonObject().put("deviceId", device).put("changes", new JsonObject().put("task", tasks)));
  }

  private HttpResponse<Buffer> pull(String acceptEncoding) {
    HttpRequest<Buffer> request = gateway.client().get("/api/sync/pull?since=0&limit=1000")
        .putHeader("Authorization", "Bearer " + token);
    if (acceptEncoding != null) {
      request.putHeader("Accept-Encoding", acceptEncoding);
    }
    HttpResponse<Buffer> response = request.send().await();
    assertThat(response.statusCode()).isEqualTo(200);
    return response;
  }

  private static byte[] gunzip(byte[] bytes) {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

}
