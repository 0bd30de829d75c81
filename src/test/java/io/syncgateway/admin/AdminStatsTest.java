package io.syncgateway.admin;

import static io.syncgateway.admin.AdminScenario.assertProblem;
import static io.syncgateway.testsupport.Changes.batch;
import static io.syncgateway.testsupport.Changes.clock;
import static io.syncgateway.testsupport.Changes.comment;
import static io.syncgateway.testsupport.Changes.task;
import static org.assertj.core.api.Assertions.assertThat;

import io.syncgateway.testsupport.Eventually;
import io.syncgateway.testsupport.GatewayHarness;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("Admin API: GET /api/admin/stats")
class AdminStatsTest {
  @RegisterExtension
  static final GatewayHarness gateway = GatewayHarness.perClass("admin_stats");

  /** Bob's pushes after alice wrote a1: a conflict on a1, a comment on a missing task, a task with an unknown field. */
  private static void bobConflictsAndIsRejected(AdminScenario org) {
    JsonObject response = gateway.pushOk(org.bob, batch(org.bobDevice,
        "task", task("a1", clock(org.bobDevice, 2), "Bob's concurrent title"),
        "comment", comment("c1", "no-such-task", clock(org.bobDevice, 1), "orphan"),
        "task", task("b2", clock(org.bobDevice, 1), "B2").put("colour", "red")).put("batchId", "batch-1"));
    assertThat(response.getJsonArray("conflicts")).hasSize(1);
    assertThat(response.getJsonArray("rejected")).hasSize(2);
  }

  private static JsonObject awaitStats(AdminScenario org, String query, int conflicts) {
    Eventually.until(() -> total(org.adminGet("/api/admin/stats" + query).getJsonArray("conflicts")) >= conflicts);
    return org.adminGet("/api/admin/stats" + query);
  }

  private static long total(JsonArray counts) {
    return counts.stream().mapToLong(count -> ((JsonObject) count).getLong("count")).sum();
  }

  @Test
  @DisplayName("counts conflicts per entity type and rejections per entity type and code")
  void countsPerTypeAndCode() {
    AdminScenario org = AdminScenario.twoDevicesSynced(gateway);
    bobConflictsAndIsRejected(org);

    JsonObject stats = awaitStats(org, "", 1);

    assertThat(stats.getJsonArray("conflicts")).containsExactly(
        new JsonObject().put("entityType", "task").put("count", 1L));
    assertThat(stats.getJsonArray("rejections")).containsExactly(
        new JsonObject().put("entityType", "comment").put("code", "missing_parent").put("count", 1L),
        new JsonObject().put("entityType", "task").put("code", "validation").put("count", 1L));
    assertThat(stats.getLong("until") - stats.getLong("since")).isEqualTo(stats.getLong("windowMs"))
        .isEqualTo(24 * 3600 * 1000L);
  }

  @Test
  @DisplayName("a replayed batchId is not counted again")
  void replayNotCountedTwice() {
    AdminScenario org = AdminScenario.twoDevicesSynced(gateway);
    bobConflictsAndIsRejected(org);
    bobConflictsAndIsRejected(org); // the same batchId: the recorded answer again
    org.awaitSyncLog("?deviceId=" + org.bobDevice + "&kind=push", 3);

    JsonObject stats = awaitStats(org, "", 1);

    assertThat(total(stats.getJsonArray("conflicts"))).isEqualTo(1);
    assertThat(total(stats.getJsonArray("rejections"))).isEqualTo(2);
  }

  @Test
  @DisplayName("a window that ends before the pushes counts nothing")
  void windowExcludesOlderPushes() {
    AdminScenario org = AdminScenario.twoDevicesSynced(gateway);
    bobConflictsAndIsRejected(org);
    awaitStats(org, "", 1);
    long sinceThePush = Math.max(1, System.currentTimeMillis() - org.awaitSyncLog("?kind=push", 3)
        .getJsonObject(0).getLong("createdAt") - 1);

    JsonObject stats = org.adminGet("/api/admin/stats?windowMs=" + sinceThePush);

    assertThat(stats.getJsonArray("conflicts")).isEmpty();
    assertThat(stats.getJsonArray("rejections")).isEmpty();
  }

  @Test
  @DisplayName("an admin sees only their own organization's counts")
  void organizationScoped() {
    AdminScenario noisy = AdminScenario.twoDevicesSynced(gateway);
    AdminScenario quiet = AdminScenario.twoDevicesSynced(gateway);
    bobConflictsAndIsRejected(noisy);
    awaitStats(noisy, "", 1);

    JsonObject stats = quiet.adminGet("/api/admin/stats");

    assertThat(stats.getJsonArray("conflicts")).isEmpty();
    assertThat(stats.getJsonArray("rejections")).isEmpty();
  }

  @Test
  @DisplayName("a member is refused 403 forbidden")
  void memberRefused() {
    AdminScenario org = AdminScenario.twoDevicesSynced(gateway);

    assertProblem(org.get(org.bob, "/api/admin/stats"), 403, "forbidden");
  }

  @Test
  @DisplayName("windowMs outside 1..retention, or an unknown parameter, is 400 invalid_request")
  void badParameters() {
    AdminScenario org = AdminScenario.twoDevicesSynced(gateway);

    assertProblem(org.get(org.admin, "/api/admin/stats?windowMs=0"), 400, "invalid_request");
    assertProblem(org.get(org.admin, "/api/admin/stats?windowMs=" + 31L * 24 * 3600 * 1000), 400, "invalid_request");
    assertProblem(org.get(org.admin, "/api/admin/stats?windowMs=-5"), 400, "invalid_request");
    assertProblem(org.get(org.admin, "/api/admin/stats?window=1"), 400, "invalid_request");
  }
}
