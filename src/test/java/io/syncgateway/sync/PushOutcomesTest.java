package io.syncgateway.sync;

import static io.syncgateway.testsupport.Changes.batch;
import static io.syncgateway.testsupport.Changes.clock;
import static io.syncgateway.testsupport.Changes.comment;
import static io.syncgateway.testsupport.Changes.delete;
import static io.syncgateway.testsupport.Changes.task;
import static io.syncgateway.testsupport.Changes.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;

import io.syncgateway.testsupport.GatewayHarness;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("Push: every row of the per-item outcome table, over real HTTP and PostgreSQL")
class PushOutcomesTest {
  @RegisterExtension
  static final GatewayHarness gateway = GatewayHarness.perClass("push_outcomes");
  private String org;
  private String token;
  private String devA;
  private String devB;

  @BeforeEach
  void freshOrganization() {
    org = uniqueId("org");
    token = gateway.token("alice", org);
    devA = uniqueId("dev-a");
    devB = uniqueId("dev-b");
  }

  @Test
  @DisplayName("an item for an absent entity is applied and appears in the feed")
  void absentEntityIsApplied() {
    JsonObject response = gateway.pushOk(token, batch(devA, "task", task("t1", clock(devA, 1), "Buy milk")));

    assertThat(response.getBoolean("success")).isTrue();
    assertThat(response.getInteger("processed")).isEqualTo(1);
    assertThat(response.getJsonArray("conflicts")).isEmpty();
    JsonObject stored = gateway.getOk(token, "/api/tasks/t1");
    assertThat(stored.getString("title")).isEqualTo("Buy milk");
    assertThat(stored.getLong("version")).isEqualTo(1);
    assertThat(stored.getString("organizationId")).isEqualTo(org);
    assertThat(stored.getString("lastModifiedDevice")).isEqualTo(devA);
  }

  @Test
  @DisplayName("AFTER: a dominating clock is applied, the stored clock becomes the item's")
  void dominatingClockIsApplied() {
    gateway.pushOk(token, batch(devA, "task", task("t1", clock(devA, 1), "Buy milk")));

    JsonObject response = gateway.pushOk(token,
        batch(devB, "task", task("t1", clock(devA, 1, devB, 1), "Buy oat milk")));

    assertThat(response.getInteger("processed")).isEqualTo(1);
    JsonObject stored = gateway.getOk(token, "/api/tasks/t1");
    assertThat(stored.getString("title")).isEqualTo("Buy oat milk");
    assertThat(stored.getJsonObject("vectorClock")).isEqualTo(clock(devA, 1, devB, 1));
    assertThat(stored.getLong("version")).isEqualTo(2);
  }

  @Test
  @DisplayName("EQUAL: a retried item is acknowledged and nothing is written")
  void equalClockIsAcknowledged() {
    JsonObject body = batch(devA, "task", task("t1", clock(devA, 1), "Buy milk"));
    gateway.pushOk(token, body);

    JsonObject response = gateway.pushOk(token, body);

    assertThat(response.getInteger("processed")).isEqualTo(1);
    assertThat(response.getJsonArray("conflicts")).isEmpty();
    assertThat(response.getJsonArray("superseded")).isEmpty();
    assertThat(gateway.getOk(token, "/api/tasks/t1").getLong("version")).isEqualTo(1);
  }

  @Test
  @DisplayName("BEFORE: a dominated clock is superseded and never overwrites newer data")
  void dominatedClockIsSuperseded() {
    gateway.pushOk(token, batch(devA, "task", task("t1", clock(devA, 2), "Newer")));

    JsonObject response = gateway.pushOk(token, batch(devA, "task", task("t1", clock(devA, 1), "Older")));

    assertThat(response.getInteger("processed")).isZero();
    assertThat(response.getJsonArray("superseded")).hasSize(1);
    JsonObject superseded = response.getJsonArray("superseded").getJsonObject(0);
    assertThat(superseded.getString("entityId")).isEqualTo("t1");
    assertThat(superseded.getJsonObject("serverVectorClock")).isEqualTo(clock(devA, 2));
    assertThat(gateway.getOk(token, "/api/tasks/t1").getString("title")).isEqualTo("Newer");
  }

  @Test
  @DisplayName("CONCURRENT: a concurrent edit is a conflict carrying the server's current entity")
  void concurrentClockIsConflict() {
    gateway.pushOk(token, batch(devA, "task", task("t1", clock(devA, 1), "From A")));

    JsonObject response = gateway.pushOk(token, batch(devB, "task", task("t1", clock(devB, 1), "From B")));

    assertThat(response.getInteger("processed")).isZero();
    assertThat(response.getJsonArray("conflicts")).hasSize(1);
    JsonObject conflict = response.getJsonArray("conflicts").getJsonObject(0);
    assertThat(conflict.getString("entityType")).isEqualTo("task");
    assertThat(conflict.getJsonObject("serverVersion").getString("title")).isEqualTo("From A");
    assertThat(conflict.getJsonObject("serverVersion").getString("checksum")).hasSize(64);
    assertThat(conflict.getJsonObject("serverVectorClock")).isEqualTo(clock(devA, 1));
    assertThat(conflict.getString("reason")).isNotBlank();
    assertThat(conflict.getBoolean("autoResolvable")).isFalse();
    assertThat(gateway.getOk(token, "/api/tasks/t1").getString("title")).isEqualTo("From A");
  }

  @Test
  @DisplayName("rejected: an invalid item is rejected with a code while the rest of the batch applies")
  void invalidItemIsRejectedAlone() {
    JsonObject response = gateway.pushOk(token, batch(devA,
        "task", task("t1", clock(devA, 1), "Fine"),
        "task", new JsonObject().put("id", "t2").put("vectorClock", clock(devA, 1)).put("title", "x".repeat(501))));

    assertThat(response.getInteger("processed")).isEqualTo(1);
    assertThat(response.getJsonArray("rejected")).hasSize(1);
    JsonObject rejected = response.getJsonArray("rejected").getJsonObject(0);
    assertThat(rejected.getString("entityId")).isEqualTo("t2");
    assertThat(rejected.getString("code")).isEqualTo("validation");
    assertThat(rejected.getBoolean("retryable")).isFalse();
    assertThat(gateway.get(token, "/api/tasks/t2").statusCode()).isEqualTo(404);
  }

  @Test
  @DisplayName("a comment whose task exists nowhere is rejected missing_parent, retryable")
  void commentWithoutTaskIsMissingParent() {
    JsonObject response = gateway.pushOk(token, batch(devA, "comment", comment("c1", "nope", clock(devA, 1), "hi")));

    JsonObject rejected = response.getJsonArray("rejected").getJsonObject(0);
    assertThat(rejected.getString("code")).isEqualTo("missing_parent");
    assertThat(rejected.getBoolean("retryable")).isTrue();
  }

  @Test
  @DisplayName("a comment may come before its task in the same batch")
  void commentBeforeItsTaskInTheSameBatchApplies() {
    JsonObject response = gateway.pushOk(token, batch(devA,
        "comments", comment("c1", "t1", clock(devA, 2), "hi"),
        "tasks", task("t1", clock(devA, 1), "Task")));

    assertThat(response.getInteger("processed")).isEqualTo(2);
    assertThat(gateway.getOk(token, "/api/tasks/t1/comments").getJsonArray("comments")).hasSize(1);
  }

  @Test
  @DisplayName("deleting a task leaves tombstones for it and its comments, and GET answers 404")
  void deleteLeavesTombstonesAndCascades() {
    gateway.pushOk(token, batch(devA, "task", task("t1", clock(devA, 1), "Task"),
        "comment", comment("c1", "t1", clock(devA, 2), "hi")));

    JsonObject response = gateway.pushOk(token, batch(devA, "task", delete("t1", clock(devA, 3))));

    assertThat(response.getInteger("processed")).isEqualTo(1);
    assertThat(gateway.get(token, "/api/tasks/t1").statusCode()).isEqualTo(404);
    JsonObject feed = gateway.pullAll(token, devB, 100);
    assertThat(feed.getJsonArray("tasks")).isEmpty();
    assertThat(feed.getJsonArray("comments")).isEmpty();
    assertThat(feed.getJsonArray("tombstones").stream().map(t -> ((JsonObject) t).getString("entityId")))
        .containsExactlyInAnyOrder("t1", "c1");
  }

  @Test
  @DisplayName("batchId: a replayed batch returns the first response and applies nothing again")
  void replayedBatchIdReturnsTheFirstResponse() {
    JsonObject body = batch(devA, "task", task("t1", clock(devA, 1), "Once")).put("batchId", "b-1");
    JsonObject first = gateway.pushOk(token, body);
    gateway.pushOk(token, batch(devA, "task", task("t1", clock(devA, 2), "Twice")));

    JsonObject replay = gateway.pushOk(token, body);

    assertThat(replay).isEqualTo(first);
    assertThat(gateway.getOk(token, "/api/tasks/t1").getString("title")).isEqualTo("Twice");
  }

  @Test
  @DisplayName("serverVectorClock merges the stored clocks of the entities the batch names, never the organization's")
  void serverVectorClockMergesTheNamedEntitiesOnly() {
    gateway.pushOk(token, batch(devA, "task", task("t1", clock(devA, 3), "A")));

    JsonObject response = gateway.pushOk(token, batch(devB, "task", task("t2", clock(devB, 5), "B")));

    assertThat(response.getJsonObject("serverVectorClock")).isEqualTo(clock(devB, 5));
  }

  @Test
  @DisplayName("serverVectorClock includes the stored clock of a named entity that was not written (a conflict)")
  void serverVectorClockIncludesUnwrittenNamedEntities() {
    gateway.pushOk(token, batch(devA, "task", task("t1", clock(devA, 3), "A")));

    JsonObject response = gateway.pushOk(token, batch(devB, "task", task("t1", clock(devB, 1), "Concurrent"),
        "task", task("t2", clock(devB, 5), "B")));

    assertThat(response.getJsonArray("conflicts")).hasSize(1);
    assertThat(response.getJsonObject("serverVectorClock")).isEqualTo(clock(devA, 3, devB, 5));
  }

  @Test
  @DisplayName("text PostgreSQL cannot store (U+0000) rejects that item only, never the batch")
  void nulCharacterRejectsTheItemOnly() {
    JsonObject response = gateway.pushOk(token, batch(devA,
        "task", task("t1", clock(devA, 1), "Fine"),
        "task", task("t2", clock(devA, 1), "bad\u0000title")
            .put("customFields", new JsonObject().put("k", "also\u0000bad"))));

    assertThat(response.getInteger("processed")).isEqualTo(1);
    assertThat(response.getJsonArray("rejected").getJsonObject(0).getString("code")).isEqualTo("validation");
  }
}
