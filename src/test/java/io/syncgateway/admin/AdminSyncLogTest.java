package io.syncgateway.admin;

import static io.syncgateway.admin.AdminScenario.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.syncgateway.testsupport.GatewayHarness;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("Admin API: GET /api/admin/sync-log")
class AdminSyncLogTest {
  @RegisterExtension
  static final GatewayHarness gateway = GatewayHarness.perClass("admin_sync_log");

  private static List<String> field(JsonArray entries, String name) {
    return entries.stream().map(entry -> ((JsonObject) entry).getString(name)).toList();
  }

  @Test
  @DisplayName("lists the organization's pushes and pulls, newest first")
  void newestFirst() {
    AdminScenario org = AdminScenario.twoDevicesSynced(gateway);

    JsonArray entries = org.awaitSyncLog("", 4);

    assertThat(entries).hasSize(4);
    List<Long> times = entries.stream().map(entry -> ((JsonObject) entry).getLong("createdAt")).toList();
    assertThat(times).isSortedAccordingTo((a, b) -> Long.compare(b, a));
    assertThat(field(entries, "kind")).containsExactlyInAnyOrder("push", "push", "pull", "pull");
    JsonObject alicePush = entries.stream().map(JsonObject.class::cast)
        .filter(entry -> entry.getString("kind").equals("push") && entry.getString("userId").equals("alice"))
        .findFirst().orElseThrow();
    assertThat(alicePush.getString("deviceId")).isEqualTo(org.aliceDevice);
    assertThat(alicePush.getInteger("applied")).isEqualTo(1);
    assertThat(alicePush.getString("status")).isEqualTo("success");
  }

  @Test
  @DisplayName("deviceId, userId and kind filter the rows")
  void filters() {
    AdminScenario org = AdminScenario.twoDevicesSynced(gateway);
    org.awaitSyncLog("", 4);

    assertThat(field(org.adminGet("/api/admin/sync-log?deviceId=" + org.bobDevice).getJsonArray("entries"),
        "deviceId")).containsExactly(org.bobDevice, org.bobDevice);
    assertThat(field(org.adminGet("/api/admin/sync-log?userId=alice").getJsonArray("entries"), "userId"))
        .containsExactly("alice", "alice");
    assertThat(field(org.adminGet("/api/admin/sync-log?kind=pull").getJsonArray("entries"), "kind"))
        .containsExactly("pull", "pull");
    assertThat(org.adminGet("/api/admin/sync-log?userId=alice&kind=push").getJsonArray("entries")).hasSize(1);
  }

  @Test
  @DisplayName("limit keeps the newest rows only")
  void limitKeepsNewest() {
    AdminScenario org = AdminScenario.twoDevicesSynced(gateway);
    JsonArray all = org.awaitSyncLog("", 4);

    JsonArray two = org.adminGet("/api/admin/sync-log?limit=2").getJsonArray("entries");

    assertThat(two).containsExactly(all.getValue(0), all.getValue(1));
  }

  @Test
  @DisplayName("an admin never sees another organization's rows")
  void organizationScoped() {
    AdminScenario first = AdminScenario.twoDevicesSynced(gateway);
    AdminScenario second = AdminScenario.twoDevicesSynced(gateway);
    first.awaitSyncLog("", 4);

    JsonArray entries = second.awaitSyncLog("", 4);

    assertThat(entries).hasSize(4);
    assertThat(field(entries, "deviceId")).containsOnly(second.aliceDevice, second.bobDevice);
    assertThat(second.adminGet("/api/admin/sync-log?deviceId=" + first.aliceDevice).getJsonArray("entries")).isEmpty();
  }

  @Test
  @DisplayName("a member is refused 403 forbidden")
  void memberRefused() {
    AdminScenario org = AdminScenario.twoDevicesSynced(gateway);

    assertProblem(org.get(org.alice, "/api/admin/sync-log?userId=alice"), 403, "forbidden");
  }

  @Test
  @DisplayName("a bad kind, deviceId or limit, or an unknown parameter, is 400 invalid_request")
  void badParameters() {
    AdminScenario org = AdminScenario.twoDevicesSynced(gateway);

    assertProblem(org.get(org.admin, "/api/admin/sync-log?kind=delete"), 400, "invalid_request");
    assertProblem(org.get(org.admin, "/api/admin/sync-log?deviceId=a%20b"), 400, "invalid_request");
    assertProblem(org.get(org.admin, "/api/admin/sync-log?limit=0"), 400, "invalid_request");
    assertProblem(org.get(org.admin, "/api/admin/sync-log?limit=1001"), 400, "invalid_request");
    assertProblem(org.get(org.admin, "/api/admin/sync-log?type=push"), 400, "invalid_request");
    assertProblem(org.get(org.admin, "/api/admin/sync-log?kind=push&kind=pull"), 400, "invalid_request");
  }
}
