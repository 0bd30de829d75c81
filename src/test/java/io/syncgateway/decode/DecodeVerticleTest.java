package io.syncgateway.decode;

import static org.assertj.core.api.Assertions.assertThat;

import io.syncgateway.auth.Principal;
import io.syncgateway.auth.Role;
import io.syncgateway.bus.Addresses;
import io.syncgateway.bus.PreparedPush;
import io.syncgateway.bus.PushRequest;
import io.syncgateway.bus.PushResult;
import io.syncgateway.config.GatewayConfig;
import io.syncgateway.testsupport.Encodings;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("Decode worker verticle, the first stage of a push, driven through its event-bus contract")
class DecodeVerticleTest {
  private static final Principal ALICE = new Principal("alice", "org-1", Role.MEMBER);
  private final AtomicReference<PreparedPush> handedOn = new AtomicReference<>();

  @BeforeEach
  void deploy(Vertx vertx, VertxTestContext context) {
    vertx.deployVerticle(DecodeVerticle::new, new DeploymentOptions()
            .setThreadingModel(ThreadingModel.WORKER).setConfig(GatewayConfig.defaults()))
        .compose(id -> vertx.eventBus().<PreparedPush>consumer(Addresses.PUSH_DECIDE, message -> {
          handedOn.set(message.body());
          message.reply(new PushResult(message.body().batch().deviceId(), new JsonObject().put("success", true), 1, 0,
              false));
        }).completion())
        .onComplete(context.succeedingThenComplete());
  }

  private static PushRequest push(String encoding, byte[] body) {
    return new PushRequest(ALICE, null, encoding, Buffer.buffer(body));
  }

  @Test
  @DisplayName("a gzip body is decoded, parsed and checked, handed on to conflict detection, and its answer relayed")
  void decodesGzipAndHandsOn(Vertx vertx, VertxTestContext context) {
    byte[] gzipped = Encodings.gzip(("{\"deviceId\":\"d1\",\"changes\":{\"task\":[{\"id\":\"t1\",\"title\":\"T\","
        + "\"vectorClock\":{\"d1\":1}}]}}").getBytes(StandardCharsets.UTF_8));

    vertx.eventBus().<PushResult>request(Addresses.PUSH_DECODE, push("gzip", gzipped))
        .onComplete(context.succeeding(reply -> context.verify(() -> {
          assertThat(reply.body().applied()).isEqualTo(1);
          assertThat(handedOn.get().principal()).isEqualTo(ALICE);
          assertThat(handedOn.get().batch().deviceId()).isEqualTo("d1");
          assertThat(handedOn.get().batch().items()).singleElement()
              .satisfies(item -> assertThat(item.id()).isEqualTo("t1"));
          context.completeNow();
        })));
  }

  @Test
  @DisplayName("garbage that claims to be gzip fails with 400 bad_encoding and goes no further")
  void garbageGzipFails(Vertx vertx, VertxTestContext context) {
    vertx.eventBus().request(Addresses.PUSH_DECODE, push("gzip", "not gzip at all".getBytes(StandardCharsets.UTF_8)))
        .onComplete(context.failing(error -> context.verify(() -> {
          assertThat(((ReplyException) error).failureCode()).isEqualTo(400);
          assertThat(error.getMessage()).startsWith("bad_encoding:");
          assertThat(handedOn.get()).isNull();
          context.completeNow();
        })));
  }

  @Test
  @DisplayName("a JSON array body fails with 400 invalid_request")
  void nonObjectFails(Vertx vertx, VertxTestContext context) {
    vertx.eventBus().request(Addresses.PUSH_DECODE, push("identity", "[1,2]".getBytes(StandardCharsets.UTF_8)))
        .onComplete(context.failing(error -> context.verify(() -> {
          assertThat(((ReplyException) error).failureCode()).isEqualTo(400);
          assertThat(error.getMessage()).startsWith("invalid_request:");
          context.completeNow();
        })));
  }

  @Test
  @DisplayName("an unknown entity type in changes fails with 400 unknown_entity_type")
  void unknownTypeFails(Vertx vertx, VertxTestContext context) {
    byte[] body = "{\"deviceId\":\"d1\",\"changes\":{\"projects\":[]}}".getBytes(StandardCharsets.UTF_8);
    vertx.eventBus().request(Addresses.PUSH_DECODE, push("identity", body))
        .onComplete(context.failing(error -> context.verify(() -> {
          assertThat(((ReplyException) error).failureCode()).isEqualTo(400);
          assertThat(error.getMessage()).startsWith("unknown_entity_type:");
          context.completeNow();
        })));
  }
}
