package io.syncgateway.admin;

import static io.syncgateway.admin.AdminScenario.assertProblem;
import static io.syncgateway.testsupport.Changes.batch;
import static io.syncgateway.testsupport.Changes.clock;
import static io.syncgateway.testsupport.Changes.task;
import static org.assertj.core.api.Assertions.assertThat;

import io.syncgateway.auth.Role;
import io.syncgateway.testsupport.GatewayHarness;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("Admin API: GET /api/admin/devices")
class AdminDevicesTest {
  @RegisterExtension
  static final GatewayHarness gateway = GatewayHarness.perClass("admin_devices");

  @Test
  @DisplayName("lists every device of the organization with its owner and first/last push and pull times")
  void listsDevicesWithTimes() {
    AdminScenario org = AdminScenario.twoDevicesSynced(gateway);

    JsonObject alice = org.device(org.aliceDevice);
    JsonObject bob = org.device(org.bobDevice);

    assertThat(org.devices()).hasSize(2);
    assertThat(alice.getString("userId")).isEqualTo("alice");
    assertThat(bob.getString("userId")).isEqualTo("bob");
    for (JsonObject device : new JsonObject[] {alice, bob}) {
      assertThat(device.getLong("firstSeenAt")).isPositive();
      assertThat(device.getLong("lastPushAt")).isGreaterThanOrEqualTo(device.getLong("firstSeenAt"));
      assertThat(device.getLong("lastPullAt")).isGreaterThanOrEqualTo(device.getLong("lastPushAt"));
      assertThat(device.getBoolean("headingForResync")).isFalse();
      assertThat(device.getValue("resyncRequestedAt")).isNull();
    }
  }

  @Test
  @DisplayName("a device's lag counts the changes of others since its last pull, not its own")
  void lagCountsOthersChangesSinceLastPull() {
    AdminScenario org = AdminScenario.twoDevicesSynced(gateway);
    assertThat(org.device(org.aliceDevice).getLong("lag")).isZero();

    gateway.pushOk(org.bob, batch(org.bobDevice,
        "task", task("b2", clock(org.bobDevice, 1), "B2"),
        "task", task("b3", clock(org.bobDevice, 1), "B3")));

    assertThat(org.device(org.aliceDevice).getLong("lag")).isEqualTo(2);
    assertThat(org.device(org.bobDevice).getLong("lag")).isZero();
  }

  @Test
  @DisplayName("a device that has not pulled yet lags by every change of the others")
  void neverPulledLagsByEverything() {
    AdminScenario org = AdminScenario.twoDevicesSynced(gateway);
    String idle = "dev-idle-" + org.org;
    gateway.pushOk(org.alice, batch(idle, "task", task("i1", clock(idle, 1), "pushed, never pulled")));

    JsonObject device = org.awaitDevice(idle, listed -> listed.getLong("lastPushAt") != null);

    assertThat(device.getValue("lastPullAt")).isNull();
    assertThat(device.getLong("lag")).isEqualTo(2); // a1 and b1; its own i1 left out
    assertThat(device.getBoolean("headingForResync")).isFalse();
  }

  @Test
  @DisplayName("an admin sees only the devices of their own organization")
  void organizationScoped() {
    AdminScenario first = AdminScenario.twoDevicesSynced(gateway);
    AdminScenario second = AdminScenario.twoDevicesSynced(gateway);

    assertThat(second.devices()).extracting(device -> ((JsonObject) device).getString("deviceId"))
        .containsExactlyInAnyOrder(second.aliceDevice, second.bobDevice)
        .doesNotContain(first.aliceDevice, first.bobDevice);
  }

  @Test
  @DisplayName("a member or a viewer is refused 403 forbidden")
  void nonAdminsRefused() {
    AdminScenario org = AdminScenario.twoDevicesSynced(gateway);
    String viewer = gateway.token("victor", org.org, Role.VIEWER);

    assertProblem(org.get(org.alice, "/api/admin/devices"), 403, "forbidden");
    assertProblem(org.get(viewer, "/api/admin/devices"), 403, "forbidden");
  }

  @Test
  @DisplayName("without a token: 401 unauthorized")
  void anonymousRefused() {
    assertProblem(gateway.get(null, "/api/admin/devices"), 401, "unauthorized");
  }

  @Test
  @DisplayName("limit bounds the list; out of 1..1000 or unknown parameters are 400 invalid_request naming them")
  void limitAndStrictParameters() {
    AdminScenario org = AdminScenario.twoDevicesSynced(gateway);

    assertThat(org.adminGet("/api/admin/devices?limit=1").getJsonArray("devices")).hasSize(1);
    assertProblem(org.get(org.admin, "/api/admin/devices?limit=0"), 400, "invalid_request");
    assertProblem(org.get(org.admin, "/api/admin/devices?limit=1001"), 400, "invalid_request");
    assertProblem(org.get(org.admin, "/api/admin/devices?limit=ten"), 400, "invalid_request");
    var unknown = org.get(org.admin, "/api/admin/devices?org=other");
    assertProblem(unknown, 400, "invalid_request");
    assertThat(unknown.bodyAsJsonObject().getString("detail")).contains("'org'");
  }
}
