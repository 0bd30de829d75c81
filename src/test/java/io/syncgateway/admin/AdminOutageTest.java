package io.syncgateway.admin;

import static io.syncgateway.admin.AdminScenario.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.syncgateway.config.Setting;
import io.syncgateway.persistence.db.EmbeddedPostgresServer;
import io.syncgateway.persistence.db.Migrations;
import io.syncgateway.testsupport.GatewayHarness;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin API reads through the database's circuit breaker, like a pull: an outage is an honest, fast 503. */
@DisplayName("Admin API during a database outage")
class AdminOutageTest {
  /** Far above the 100 ms contract, far below a TCP or statement timeout (as in DatabaseOutageTest). */
  private static final long FAST_MS = 1_000;

  @TempDir
  Path dataDir;

  @Test
  @DisplayName("every admin endpoint answers 503 unavailable with Retry-After, fast, while the database is stopped")
  void stoppedDatabaseIs503() throws Exception {
    EmbeddedPostgresServer database = EmbeddedPostgresServer.start(dataDir, GatewayHarness.freePort());
    try {
      Migrations.migrate(database.url());
      try (GatewayHarness gateway = GatewayHarness.start(database.url(), Map.of(Setting.BREAKER_RESET_MS, 60_000))) {
        AdminScenario org = AdminScenario.twoDevicesSynced(gateway);

        database.close();
        // The first call finds the connection gone and opens the breaker; from then on every answer is fast.
        assertUnavailable(org.get(org.admin, "/api/admin/devices"));

        assertUnavailableFast(() -> org.get(org.admin, "/api/admin/devices"));
        assertUnavailableFast(() -> org.post(org.admin, "/api/admin/devices/" + org.aliceDevice + "/resync"));
        assertUnavailableFast(() -> org.get(org.admin, "/api/admin/sync-log"));
        assertUnavailableFast(() -> org.get(org.admin, "/api/admin/stats"));
      }
    } finally {
      database.close();
    }
  }

  private static void assertUnavailable(HttpResponse<Buffer> response) {
    assertProblem(response, 503, "unavailable");
    assertThat(response.getHeader("Retry-After")).isNotBlank();
  }

  private static void assertUnavailableFast(Supplier<HttpResponse<Buffer>> call) {
    long started = System.nanoTime();
    HttpResponse<Buffer> response = call.get();
    assertThat((System.nanoTime() - started) / 1_000_000).as("answered within %d ms", FAST_MS).isLessThan(FAST_MS);
    assertUnavailable(response);
  }
}
