package io.syncgateway.bench;

import io.syncgateway.wire.Gzip;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.net.URI;

/**
 * The gateway over real HTTP: gzip request bodies, gzip responses, one keep-alive connection per device;
 * optionally every request with a timeout (a request that gets no answer in time fails).
 */
final class GatewayTarget implements SyncTarget<Buffer>, AutoCloseable {
  private final WebClient client;
  private final long timeoutMs;
  private final URI base;

  GatewayTarget(Vertx vertx, URI base, int connections) {
    this(vertx, base, connections, 0);
  }

  /** @param timeoutMs how long a request may go without an answer before it fails; 0: no limit */
  GatewayTarget(Vertx vertx, URI base, int connections, long timeoutMs) {
    this.timeoutMs = timeoutMs;
    this.base = base;
    client = WebClient.create(vertx, new WebClientOptions()
            .setDefaultHost(base.getHost()).setDefaultPort(base.getPort())
            .setDecompressionSupported(true).setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(connections).setMaxWaitQueueSize(-1));
  }

  /** Where the gateway listens. */
  URI base() {
    return base;
  }

  @Override
  public String name() {
    return "gateway";
  }

  @Override
  public Buffer encode(SimDevice device, JsonObject body) {
    return Buffer.buffer(Gzip.gzip(body.toBuffer().getBytes()));
  }

  @Override
  public Future<Outcome> push(SimDevice device, Buffer body) {
    return pushResponse(device, body, timeoutMs).map(Outcome::ofPush);
  }

  /** The push's 200 answer (processed, conflicts, superseded, rejected); any other status fails. */
  Future<JsonObject> pushResponse(SimDevice device, Buffer body, long timeoutMs) {
    return timed(authorized(client.post("/api/sync/push"), device), timeoutMs)
        .putHeader("Content-Type", "application/json")
        .putHeader("Content-Encoding", "gzip")
        .sendBuffer(body)
        .map(GatewayTarget::ok);
  }

  @Override
  public Future<Page> pull(SimDevice device, int limit, String cursor) {
    return pullResponse(device, limit, cursor).map(Page::of);
  }

  /** The pull page as JSON (tasks with their vector clocks, cursor, hasMore); any status but 200 fails. */
  Future<JsonObject> pullResponse(SimDevice device, int limit, String cursor) {
    HttpRequest<Buffer> request = timed(authorized(client.get("/api/sync/pull"), device), timeoutMs)
        .addQueryParam("deviceId", device.deviceId())
        .addQueryParam("limit", String.valueOf(limit));
    if (cursor != null) {
      request.addQueryParam("since", cursor);
    }
    return request.send().map(GatewayTarget::ok);
  }

  /** A GET without a token (health, metrics). */
  Future<HttpResponse<Buffer>> get(String path) {
    return timed(client.get(path), timeoutMs).send();
  }

  private static HttpRequest<Buffer> timed(HttpRequest<Buffer> request, long timeoutMs) {
    return timeoutMs > 0 ? request.timeout(timeoutMs) : request;
  }

  private static HttpRequest<Buffer> authorized(HttpRequest<Buffer> request, SimDevice device) {
    return request.putHeader("Authorization", "Bearer " + device.token());
  }

  private static JsonObject ok(HttpResponse<Buffer> response) {
    if (response.statusCode() != 200) {
      String code = "";
      try {
        code = " " + response.bodyAsJsonObject().getString("code", "");
      } catch (RuntimeException notJson) {
        // the status alone names the error
      }
      throw new RequestFailed(response.statusCode() + code, response.bodyAsString());
    }
    return response.bodyAsJsonObject();
  }

  @Override
  public void close() {
    client.close();
  }
}
