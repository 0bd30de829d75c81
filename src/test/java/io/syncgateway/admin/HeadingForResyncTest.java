package io.syncgateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.syncgateway.testsupport.Eventually;
import io.syncgateway.config.Setting;
import io.syncgateway.testsupport.GatewayHarness;
import io.syncgateway.testsupport.TestDatabase;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A retention of seconds, so that "has not pulled for half the retention period" happens within a
 * test: the same rule as the metric sync_devices_heading_for_resync.
 */
@DisplayName("Admin API: headingForResync")
class HeadingForResyncTest {
  private static final long RETENTION_MS = 8_000;
  private static GatewayHarness gateway;

  @BeforeAll
  static void start() {
    gateway = GatewayHarness.start(TestDatabase.freshDatabase("admin_heading"),
        Map.of(Setting.RETENTION_MS, RETENTION_MS));
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  @Test
  @DisplayName("a device that has not pulled for half the retention period heads for a resync; one that pulls does not")
  void idleDeviceHeadsForResync() {
    AdminScenario org = AdminScenario.twoDevicesSynced(gateway);
    assertThat(org.device(org.aliceDevice).getBoolean("headingForResync")).isFalse();

    Eventually.until(() -> {
      gateway.pullAll(org.bob, org.bobDevice, 100); // bob keeps pulling, alice stays away
      return org.device(org.aliceDevice).getBoolean("headingForResync");
    });

    JsonObject bob = org.device(org.bobDevice);
    assertThat(bob.getBoolean("headingForResync")).isFalse();
    assertThat(org.adminGet("/api/admin/devices").getLong("resyncWarningMs")).isEqualTo(RETENTION_MS / 2);
    assertThat(System.currentTimeMillis() - org.device(org.aliceDevice).getLong("lastPullAt"))
        .isGreaterThan(RETENTION_MS / 2);
  }
}
