package io.syncgateway.admin;

import static io.syncgateway.admin.AdminScenario.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.syncgateway.testsupport.GatewayHarness;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("Admin API: POST /api/admin/devices/{deviceId}/resync")
class ForcedResyncTest {
  @RegisterExtension
  static final GatewayHarness gateway = GatewayHarness.perClass("admin_resync");

  private static String pullPath(String deviceId, String since) {
    return "/api/sync/pull?deviceId=" + deviceId + "&since=" + since;
  }

  @Test
  @DisplayName("the device's next pull with its old cursor is answered 410 resync_required")
  void oldCursorGets410() {
    AdminScenario org = AdminScenario.twoDevicesSynced(gateway);
    String cursor = gateway.pullAll(org.alice, org.aliceDevice, 100).getString("cursor");

    JsonObject answer = org.post(org.admin, "/api/admin/devices/" + org.aliceDevice + "/resync").bodyAsJsonObject();

    assertThat(answer.getString("deviceId")).isEqualTo(org.aliceDevice);
    assertThat(answer.getLong("resyncRequestedAt")).isPositive();
    assertProblem(org.get(org.alice, pullPath(org.aliceDevice, cursor)), 410, "resync_required");
  }

  @Test
  @DisplayName("a numeric since, or an offset into a sequence, is answered 410 as well")
  void timestampAndOffsetGet410() {
    AdminScenario org = AdminScenario.twoDevicesSynced(gateway);
    org.post(org.admin, "/api/admin/devices/" + org.aliceDevice + "/resync");

    assertProblem(org.get(org.alice, pullPath(org.aliceDevice, Long.toString(System.currentTimeMillis()))),
        410, "resync_required");
    assertProblem(org.get(org.alice, pullPath(org.aliceDevice, "0") + "&offset=100"), 410, "resync_required");
  }

  @Test
  @DisplayName("after a full pull from the beginning the device pulls with cursors again")
  void fullPullEndsTheResync() {
    AdminScenario org = AdminScenario.twoDevicesSynced(gateway);
    org.post(org.admin, "/api/admin/devices/" + org.aliceDevice + "/resync");

    JsonObject full = gateway.pullAll(org.alice, org.aliceDevice, 1);

    assertThat(full.getJsonArray("tasks")).extracting(task -> ((JsonObject) task).getString("id"))
        .containsExactly("b1"); // everything but what alice wrote herself
    assertThat(org.get(org.alice, pullPath(org.aliceDevice, full.getString("cursor"))).statusCode()).isEqualTo(200);
    assertThat(org.device(org.aliceDevice).getValue("resyncRequestedAt")).isNull();
  }

  @Test
  @DisplayName("other devices of the organization are unaffected")
  void otherDevicesUnaffected() {
    AdminScenario org = AdminScenario.twoDevicesSynced(gateway);
    String bobCursor = gateway.pullAll(org.bob, org.bobDevice, 100).getString("cursor");

    org.post(org.admin, "/api/admin/devices/" + org.aliceDevice + "/resync");

    assertThat(org.get(org.bob, pullPath(org.bobDevice, bobCursor)).statusCode()).isEqualTo(200);
    assertThat(org.device(org.bobDevice).getValue("resyncRequestedAt")).isNull();
    assertThat(org.device(org.aliceDevice).getLong("resyncRequestedAt")).isPositive();
  }

  @Test
  @DisplayName("an unknown device is 404 not_found")
  void unknownDeviceNotFound() {
    AdminScenario org = AdminScenario.twoDevicesSynced(gateway);

    assertProblem(org.post(org.admin, "/api/admin/devices/no-such-device/resync"), 404, "not_found");
  }

  @Test
  @DisplayName("another organization's device is 404 not_found, and its pulls go on")
  void otherOrganizationsDeviceUntouched() {
    AdminScenario mine = AdminScenario.twoDevicesSynced(gateway);
    AdminScenario theirs = AdminScenario.twoDevicesSynced(gateway);
    String cursor = gateway.pullAll(theirs.alice, theirs.aliceDevice, 100).getString("cursor");

    assertProblem(mine.post(mine.admin, "/api/admin/devices/" + theirs.aliceDevice + "/resync"), 404, "not_found");

    assertThat(theirs.get(theirs.alice, pullPath(theirs.aliceDevice, cursor)).statusCode()).isEqualTo(200);
  }

  @Test
  @DisplayName("a member may not force a resync: 403 forbidden, and the device's pulls go on")
  void memberRefused() {
    AdminScenario org = AdminScenario.twoDevicesSynced(gateway);
    String cursor = gateway.pullAll(org.bob, org.bobDevice, 100).getString("cursor");

    assertProblem(org.post(org.alice, "/api/admin/devices/" + org.bobDevice + "/resync"), 403, "forbidden");

    assertThat(org.get(org.bob, pullPath(org.bobDevice, cursor)).statusCode()).isEqualTo(200);
  }

  @Test
  @DisplayName("GET on the resync path is 405 with Allow: POST")
  void onlyPost() {
    AdminScenario org = AdminScenario.twoDevicesSynced(gateway);

    var response = org.get(org.admin, "/api/admin/devices/" + org.aliceDevice + "/resync");

    assertProblem(response, 405, "method_not_allowed");
    assertThat(response.getHeader("Allow")).isEqualTo("POST");
  }
}
