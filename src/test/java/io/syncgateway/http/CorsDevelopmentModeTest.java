package io.syncgateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.syncgateway.config.Setting;
import io.syncgateway.testsupport.GatewayHarness;
import io.syncgateway.testsupport.TestDatabase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The development switches: CORS for any origin ({@code SYNC_CORS_ORIGINS=*}) and the demo at /demo/. */
@DisplayName("Development mode: any origin allowed with '*', the demo served at /demo/")
class CorsDevelopmentModeTest {
  @TempDir
  static Path demo;
  private static GatewayHarness gateway;

  @BeforeAll
  static void gatewayInDevelopmentMode() throws IOException {
    Files.writeString(demo.resolve("index.html"), "<!doctype html><title>Task board</title>");
    Files.writeString(demo.resolve("app.js"), "export const board = 1;");
    gateway = GatewayHarness.start(TestDatabase.freshDatabase("cors_dev"), Map.of(Setting.CORS_ORIGINS, "*",
        Setting.DEMO_ENABLED, "true", Setting.DEMO_DIR, demo.toString()));
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  @Test
  @DisplayName("'*' allows any origin, echoed (never a literal '*', so the answer names exactly one origin)")
  void anyOrigin() {
    String origin = "http://localhost:5173";
    HttpResponse<Buffer> preflight = gateway.client().request(HttpMethod.OPTIONS, "/api/sync/pull")
        .putHeader("Origin", origin).putHeader("Access-Control-Request-Method", "GET").send().await();

    assertThat(preflight.statusCode()).isEqualTo(204);
    assertThat(preflight.getHeader("Access-Control-Allow-Origin")).isEqualTo(origin);
  }

  @Test
  @DisplayName("/demo/ serves the demo's index page without a token, /demo redirects there")
  void demoIndex() {
    HttpResponse<Buffer> index = gateway.get(null, "/demo/");
    assertThat(index.statusCode()).isEqualTo(200);
    assertThat(index.bodyAsString()).contains("Task board");
    assertThat(index.getHeader("Content-Type")).startsWith("text/html");

    HttpResponse<Buffer> bare = gateway.client().get("/demo").followRedirects(false).send().await();
    assertThat(bare.statusCode()).isEqualTo(302);
    assertThat(bare.getHeader("Location")).isEqualTo("/demo/");
  }

  @Test
  @DisplayName("the demo's scripts are served as JavaScript, so browsers load them as modules")
  void demoScripts() {
    HttpResponse<Buffer> script = gateway.get(null, "/demo/app.js");

    assertThat(script.statusCode()).isEqualTo(200);
    assertThat(script.getHeader("Content-Type")).contains("javascript");
  }

  @Test
  @DisplayName("nothing outside the demo directory can be read through /demo/")
  void noEscape() {
    assertThat(gateway.get(null, "/demo/../pom.xml").statusCode()).isNotEqualTo(200);
    assertThat(gateway.get(null, "/demo/%2e%2e/%2e%2e/etc/passwd").statusCode()).isNotEqualTo(200);
  }
}
