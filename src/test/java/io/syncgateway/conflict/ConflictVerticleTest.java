package io.syncgateway.conflict;

import static org.assertj.core.api.Assertions.assertThat;

import io.syncgateway.auth.Principal;
import io.syncgateway.auth.Role;
import io.syncgateway.bus.Addresses;
import io.syncgateway.config.GatewayConfig;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("Conflict verticle, driven through its event-bus contract")
class ConflictVerticleTest {
  private static final JsonObject ALICE = new Principal("alice", "org-1", Role.MEMBER).toJson();

  @BeforeEach
  void deploy(Vertx vertx, VertxTestContext context) {
    vertx.deployVerticle(ConflictVerticle::new, new DeploymentOptions().setConfig(GatewayConfig.defaults()))
        .onComplete(context.succeedingThenComplete());
  }

  @Test
  @DisplayName("prepare then decide: a new task is applied and written with a checksum")
  void preparesAndDecidesANewTask(Vertx vertx, VertxTestContext context) {
    JsonObject batch = new JsonObject().put("deviceId", "d1").put("changes", new JsonObject()
        .put("tasks", new JsonArray().add(new JsonObject().put("id", "t1").put("title", "Hello")
            .put("vectorClock", new JsonObject().put("d1", 1)))));

    vertx.eventBus().<JsonObject>request(Addresses.BATCH_PREPARE,
            new JsonObject().put("principal", ALICE).put("batch", batch))
        .compose(prepared -> vertx.eventBus().<JsonObject>request(Addresses.CONFLICT_DECIDE, new JsonObject()
            .put("principal", ALICE).put("deviceId", "d1").put("now", 1000L)
            .put("items", prepared.body().getJsonArray("items"))
            .put("stored", new JsonArray()).put("children", new JsonArray())))
        .onComplete(context.succeeding(reply -> context.verify(() -> {
          Decision decision = Decision.fromJson(reply.body());
          assertThat(decision.applied()).isEqualTo(1);
          assertThat(decision.writes()).singleElement()
              .satisfies(row -> assertThat(row.checksum()).hasSize(64));
          context.completeNow();
        })));
  }

  @Test
  @DisplayName("an unknown entity type in changes fails with 400 unknown_entity_type")
  void unknownTypeFails(Vertx vertx, VertxTestContext context) {
    JsonObject batch = new JsonObject().put("deviceId", "d1")
        .put("changes", new JsonObject().put("projects", new JsonArray()));

    vertx.eventBus().request(Addresses.BATCH_PREPARE, new JsonObject().put("principal", ALICE).put("batch", batch))
        .onComplete(context.failing(error -> context.verify(() -> {
          assertThat(((ReplyException) error).failureCode()).isEqualTo(400);
          assertThat(error.getMessage()).startsWith("unknown_entity_type:");
          context.completeNow();
        })));
  }
}
