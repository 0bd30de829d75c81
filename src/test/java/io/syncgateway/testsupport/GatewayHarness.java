package io.syncgateway.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import io.syncgateway.Gateway;
import io.syncgateway.auth.Role;
import io.syncgateway.auth.TokenService;
import io.syncgateway.client.sync.GatewayApi;
import io.syncgateway.config.GatewayConfig;
import io.syncgateway.config.Setting;
import io.syncgateway.persistence.db.PgUrl;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real gateway for integration tests: real PostgreSQL (see {@link TestDatabase}), real HTTP on a
 * free port, real gzip. Talks to it like a client would.
 */
public final class GatewayHarness implements AutoCloseable {
  public static final String SECRET = "integration-test-secret-0123456789abcdef";
  private static final AtomicInteger REGISTRIES = new AtomicInteger();

  private final Gateway gateway;
  private final Vertx clientVertx;
  private final WebClient client;
  private final TokenService tokens;

  private GatewayHarness(Gateway gateway) {
    this.gateway = gateway;
    this.clientVertx = Vertx.vertx();
    this.client = WebClient.create(clientVertx, new WebClientOptions()
        .setDefaultHost("localhost").setDefaultPort(gateway.httpPort()).setDecompressionSupported(false),
        new PoolOptions().setHttp1MaxSize(64));
    this.tokens = new TokenService(clientVertx, SECRET);
  }

  /** A gateway on a fresh, migrated database of its own. */
  public static GatewayHarness start(String databasePrefix) {
    return start(TestDatabase.freshDatabase(databasePrefix), Map.of());
  }

  /** A gateway on a given database (several harnesses may share one, like gateway processes). */
  public static GatewayHarness start(PgUrl database, Map<Setting, Object> overrides) {
    GatewayConfig config = GatewayConfig.load(null, Map.of())
        .with(Setting.PG_URL, database.connectionString())
        .with(Setting.HTTP_PORT, freePort())
        .with(Setting.HTTP_HOST, "127.0.0.1")
        .with(Setting.JWT_SECRET, SECRET)
        .with(Setting.METRICS_REGISTRY, "test-registry-" + REGISTRIES.incrementAndGet())
        .with(Setting.HTTP_INSTANCES, 1)
        .with(Setting.DECODE_INSTANCES, 1)
        .with(Setting.CONFLICT_INSTANCES, 1)
        .with(Setting.PERSISTENCE_INSTANCES, 1);
    for (Map.Entry<Setting, Object> override : overrides.entrySet()) {
      config = config.with(override.getKey(), override.getValue());
    }
    return new GatewayHarness(Gateway.start(config));
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Gateway gateway() {
    return gateway;
  }

  public WebClient client() {
    return client;
  }

  public String token(String user, String org) {
    return token(user, org, Role.MEMBER);
  }

  public String token(String user, String org, Role role) {
    return tokens.issue(user, org, role, 3600);
  }

  /** POSTs a push body, gzip-compressed like the design's client. */
  public HttpResponse<Buffer> push(String token, JsonObject body) {
    return pushBytes(token, gzip(body.encode().getBytes(StandardCharsets.UTF_8)),
        MultiMap.caseInsensitiveMultiMap().add("Content-Type", "application/json").add("Content-Encoding", "gzip"));
  }

  /** POSTs raw bytes with exactly the given headers (plus Authorization when a token is given). */
  public HttpResponse<Buffer> pushBytes(String token, byte[] body, MultiMap headers) {
    HttpRequest<Buffer> request = client.post("/api/sync/push").putHeaders(headers);
    if (token != null) {
      request.putHeader("Authorization", "Bearer " + token);
    }
    return request.sendBuffer(Buffer.buffer(body)).await();
  }

  /** A push that must be answered 200; returns the response body. */
  public JsonObject pushOk(String token, JsonObject body) {
    HttpResponse<Buffer> response = push(token, body);
    assertThat(response.statusCode()).as("push answered %s", response.bodyAsString()).isEqualTo(200);
    return response.bodyAsJsonObject();
  }

  public HttpResponse<Buffer> get(String token, String pathAndQuery) {
    HttpRequest<Buffer> request = client.get(pathAndQuery);
    if (token != null) {
      request.putHeader("Authorization", "Bearer " + token);
    }
    return request.send().await();
  }

  public JsonObject getOk(String token, String pathAndQuery) {
    HttpResponse<Buffer> response = get(token, pathAndQuery);
    assertThat(response.statusCode()).as("GET %s answered %s", pathAndQuery, response.bodyAsString()).isEqualTo(200);
    return response.bodyAsJsonObject();
  }

  /** Follows the cursor from the beginning until hasMore is false; returns every page merged. */
  public JsonObject pullAll(String token, String deviceId, int limit) {
    JsonObject all = new JsonObject().put("tasks", new JsonArray()).put("comments", new JsonArray())
        .put("attachments", new JsonArray()).put("tombstones", new JsonArray());
    String since = "0";
    for (int page = 0; page < 100_000; page++) {
      String query = "/api/sync/pull?limit=" + limit + "&since=" + since
          + (deviceId == null ? "" : "&deviceId=" + deviceId);
      JsonObject body = getOk(token, query);
      for (String array : new String[] {"tasks", "comments", "attachments", "tombstones"}) {
        all.getJsonArray(array).addAll(body.getJsonArray(array));
      }
      since = body.getString("cursor");
      all.put("cursor", since).put("serverVectorClock", body.getJsonObject("serverVectorClock"));
      if (!body.getBoolean("hasMore")) {
        return all;
      }
    }
    throw new AssertionError("pull never finished");
  }

  public static byte[] gzip(byte[] bytes) {
    return GatewayApi.gzip(bytes);
  }

  @Override
  public void close() {
    try {
      client.close();
      clientVertx.close().await();
    } finally {
      gateway.close();
    }
  }
}
