package io.syncgateway.http;

import static io.syncgateway.http.HttpContractTest.assertProblem;
import static io.syncgateway.testsupport.Changes.batch;
import static io.syncgateway.testsupport.Changes.clock;
import static io.syncgateway.testsupport.Changes.task;
import static io.syncgateway.testsupport.Changes.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;

import io.syncgateway.config.Setting;
import io.syncgateway.testsupport.GatewayHarness;
import io.syncgateway.testsupport.TestDatabase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Cross-origin requests from browsers (PROTOCOL §10), with one configured origin, over real HTTP. */
@DisplayName("CORS: configured origins only, preflights without a token, the contract's headers")
class CorsTest {
  private static final String APP = "https://app.example.com";
  private static final String STRANGER = "https://evil.example.net";
  private static GatewayHarness gateway;

  @BeforeAll
  static void gatewayAllowingOneOrigin() {
    // The trailing slash and blanks are forgiven: operators paste origins from the address bar.
    gateway = GatewayHarness.start(TestDatabase.freshDatabase("cors"),
        Map.of(Setting.CORS_ORIGINS, " https://other.example.org, " + APP + "/ "));
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  private static HttpResponse<Buffer> preflight(String origin, String path, String method) {
    return gateway.client().request(HttpMethod.OPTIONS, path)
        .putHeader("Origin", origin)
        .putHeader("Access-Control-Request-Method", method)
        .putHeader("Access-Control-Request-Headers", "authorization,content-type,content-encoding,x-device-id")
        .send().await();
  }

  private static HttpRequest<Buffer> fromOrigin(HttpRequest<Buffer> request, String origin) {
    return request.putHeader("Origin", origin);
  }

  @Test
  @DisplayName("a preflight from an allowed origin is 204 without a token, naming the route's methods and the contract's headers")
  void preflightFromAllowedOrigin() {
    HttpResponse<Buffer> response = preflight(APP, "/api/sync/push", "POST");

    assertThat(response.statusCode()).isEqualTo(204);
    assertThat(response.getHeader("Access-Control-Allow-Origin")).isEqualTo(APP);
    assertThat(response.getHeader("Access-Control-Allow-Methods")).isEqualTo("POST");
    assertThat(response.getHeader("Access-Control-Allow-Headers"))
        .isEqualTo("Authorization, Content-Type, Content-Encoding, X-Device-Id, X-Request-Id");
    assertThat(response.getHeader("Vary")).contains("Origin");
    assertThat(response.getHeader("Access-Control-Max-Age")).isNotBlank();
  }

  @Test
  @DisplayName("a preflight for a read route allows GET and HEAD; the live stream is a read route too")
  void preflightOfReadRoutes() {
    assertThat(preflight(APP, "/api/sync/pull", "GET").getHeader("Access-Control-Allow-Methods"))
        .isEqualTo("GET, HEAD");
    HttpResponse<Buffer> events = preflight(APP, "/api/sync/events", "GET");
    assertThat(events.statusCode()).isEqualTo(204);
    assertThat(events.getHeader("Access-Control-Allow-Methods")).isEqualTo("GET, HEAD");
  }

  @Test
  @DisplayName("a preflight from an origin that is not configured is 403 forbidden, with no CORS header")
  void preflightFromRefusedOrigin() {
    HttpResponse<Buffer> response = preflight(STRANGER, "/api/sync/push", "POST");

    assertProblem(response, 403, "forbidden");
    assertThat(response.getHeader("Access-Control-Allow-Origin")).isNull();
  }

  @Test
  @DisplayName("a preflight for an unknown path is 404 not_found, not 401")
  void preflightOfUnknownPath() {
    assertProblem(preflight(APP, "/api/nothing-here", "GET"), 404, "not_found");
  }

  @Test
  @DisplayName("an authenticated push from an allowed origin may be read by the page: origin echoed, Retry-After and X-Request-Id exposed")
  void requestFromAllowedOrigin() {
    String org = uniqueId("org");
    String device = uniqueId("dev");
    HttpResponse<Buffer> response = fromOrigin(gateway.client().post("/api/sync/push"), APP)
        .putHeader("Authorization", "Bearer " + gateway.token("alice", org))
        .putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer(batch(device, "task", task("t1", clock(device, 1), "from a page")).encode()))
        .await();

    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    assertThat(response.getHeader("Access-Control-Allow-Origin")).isEqualTo(APP);
    assertThat(response.getHeader("Access-Control-Expose-Headers")).isEqualTo("Retry-After, X-Request-Id");
    assertThat(response.getHeader("X-Request-Id")).isNotBlank();
  }

  @Test
  @DisplayName("an error answer to an allowed origin carries the CORS headers too, so the page can read the problem")
  void errorToAllowedOrigin() {
    HttpResponse<Buffer> response = fromOrigin(gateway.client().get("/api/sync/pull"), APP).send().await();

    assertProblem(response, 401, "unauthorized");
    assertThat(response.getHeader("Access-Control-Allow-Origin")).isEqualTo(APP);
    assertThat(response.getHeader("Access-Control-Expose-Headers")).contains("Retry-After");
  }

  @Test
  @DisplayName("a request from a refused origin is served without CORS headers, so the browser withholds the answer")
  void requestFromRefusedOrigin() {
    HttpResponse<Buffer> response = fromOrigin(gateway.client().get("/api/sync/pull"), STRANGER)
        .putHeader("Authorization", "Bearer " + gateway.token("alice", uniqueId("org")))
        .send().await();

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.getHeader("Access-Control-Allow-Origin")).isNull();
    assertThat(response.getHeader("Access-Control-Expose-Headers")).isNull();
  }

  @Test
  @DisplayName("the demo is off by default: /demo/ is 404")
  void demoOffByDefault() {
    assertProblem(gateway.get(null, "/demo/"), 404, "not_found");
  }
}
