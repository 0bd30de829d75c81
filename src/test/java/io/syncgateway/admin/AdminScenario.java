package io.syncgateway.admin;

import static io.syncgateway.testsupport.Changes.batch;
import static io.syncgateway.testsupport.Changes.clock;
import static io.syncgateway.testsupport.Changes.task;
import static io.syncgateway.testsupport.Changes.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;

import io.syncgateway.auth.Role;
import io.syncgateway.testsupport.Eventually;
import io.syncgateway.testsupport.GatewayHarness;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.function.Predicate;

/**
 * A fresh organization on a real gateway: an admin, and two members (alice, bob) each with a device
 * that pushed a task and pulled. Devices' times and sync-log rows are written in the background
 * (about once a second), so the helpers wait until the admin API shows what the test needs.
 */
final class AdminScenario {
  final GatewayHarness gateway;
  final String org = uniqueId("org");
  final String admin;
  final String alice;
  final String bob;
  final String aliceDevice = uniqueId("dev-alice");
  final String bobDevice = uniqueId("dev-bob");

  private AdminScenario(GatewayHarness gateway) {
    this.gateway = gateway;
    this.admin = gateway.token("carol", org, Role.ADMIN);
    this.alice = gateway.token("alice", org);
    this.bob = gateway.token("bob", org);
  }

  /** The organization after alice and bob each pushed one task and pulled everything. */
  static AdminScenario twoDevicesSynced(GatewayHarness gateway) {
    AdminScenario scenario = new AdminScenario(gateway);
    gateway.pushOk(scenario.alice, batch(scenario.aliceDevice, "task", task("a1", clock(scenario.aliceDevice, 1), "A")));
    gateway.pushOk(scenario.bob, batch(scenario.bobDevice, "task", task("b1", clock(scenario.bobDevice, 1), "B")));
    gateway.pullAll(scenario.alice, scenario.aliceDevice, 100);
    gateway.pullAll(scenario.bob, scenario.bobDevice, 100);
    scenario.awaitDevice(scenario.aliceDevice, device -> device.getLong("lastPullAt") != null);
    scenario.awaitDevice(scenario.bobDevice, device -> device.getLong("lastPullAt") != null);
    return scenario;
  }

  HttpResponse<Buffer> get(String token, String pathAndQuery) {
    return gateway.get(token, pathAndQuery);
  }

  JsonObject adminGet(String pathAndQuery) {
    return gateway.getOk(admin, pathAndQuery);
  }

  HttpResponse<Buffer> post(String token, String path) {
    return gateway.client().post(path).putHeader("Authorization", "Bearer " + token).send().await();
  }

  JsonArray devices() {
    return adminGet("/api/admin/devices").getJsonArray("devices");
  }

  /** The device as the admin API lists it, or null. */
  JsonObject device(String deviceId) {
    for (Object device : devices()) {
      if (deviceId.equals(((JsonObject) device).getString("deviceId"))) {
        return (JsonObject) device;
      }
    }
    return null;
  }

  /** Waits until the listed device satisfies the condition (its background-written times have landed). */
  JsonObject awaitDevice(String deviceId, Predicate<JsonObject> condition) {
    Eventually.until(() -> {
      JsonObject device = device(deviceId);
      return device != null && condition.test(device);
    });
    return device(deviceId);
  }

  /** Waits until the sync log (with the given query) holds at least n rows. */
  JsonArray awaitSyncLog(String query, int n) {
    Eventually.until(() -> adminGet("/api/admin/sync-log" + query).getJsonArray("entries").size() >= n);
    return adminGet("/api/admin/sync-log" + query).getJsonArray("entries");
  }

  static void assertProblem(HttpResponse<Buffer> response, int status, String code) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(status);
    assertThat(response.getHeader("Content-Type")).startsWith("application/problem+json");
    assertThat(response.bodyAsJsonObject().getString("code")).isEqualTo(code);
  }
}
