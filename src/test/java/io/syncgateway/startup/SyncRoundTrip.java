package io.syncgateway.startup;

import static io.syncgateway.testsupport.Changes.batch;
import static io.syncgateway.testsupport.Changes.clock;
import static io.syncgateway.testsupport.Changes.task;
import static io.syncgateway.testsupport.Changes.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;

import io.syncgateway.testsupport.GatewayHarness;
import io.vertx.core.json.JsonObject;

/** Proof that a gateway works on its database: one push, read back by a pull from another device. */
final class SyncRoundTrip {
  private SyncRoundTrip() {}

  static void pushThenPull(GatewayHarness gateway) {
    String token = gateway.token("alice", uniqueId("org"));
    String device = uniqueId("laptop");
    gateway.pushOk(token, batch(device, "task", task("t1", clock(device, 1), "Buy milk")));

    JsonObject pulled = gateway.getOk(token, "/api/sync/pull?since=0&deviceId=" + uniqueId("phone"));

    assertThat(pulled.getJsonArray("tasks")).hasSize(1);
    assertThat(pulled.getJsonArray("tasks").getJsonObject(0).getString("title")).isEqualTo("Buy milk");
  }
}
