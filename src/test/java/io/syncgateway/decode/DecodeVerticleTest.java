package io.syncgateway.decode;

import static org.assertj.core.api.Assertions.assertThat;

import io.syncgateway.testsupport.Encodings;
import io.syncgateway.bus.Addresses;
import io.syncgateway.config.GatewayConfig;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("Decode worker verticle, driven through its event-bus contract")
class DecodeVerticleTest {

  @BeforeEach
  void deploy(Vertx vertx, VertxTestContext context) {
    vertx.deployVerticle(DecodeVerticle::new, new DeploymentOptions()
            .setThreadingModel(ThreadingModel.WORKER).setConfig(GatewayConfig.defaults()))
        .onComplete(context.succeedingThenComplete());
  }

  private static DeliveryOptions encoding(String encoding) {
    return new DeliveryOptions().addHeader(DecodeVerticle.ENCODING_HEADER, encoding);
  }

  @Test
  @DisplayName("a gzip body is decoded and parsed into its JSON object")
  void decodesGzip(Vertx vertx, VertxTestContext context) {
    byte[] gzipped = Encodings.gzip("{\"deviceId\":\"d1\",\"changes\":{}}".getBytes(StandardCharsets.UTF_8));

    vertx.eventBus().<JsonObject>request(Addresses.PAYLOAD_DECODE, Buffer.buffer(gzipped), encoding("gzip"))
        .onComplete(context.succeeding(reply -> context.verify(() -> {
          assertThat(reply.body().getString("deviceId")).isEqualTo("d1");
          context.completeNow();
        })));
  }

  @Test
  @DisplayName("garbage that claims to be gzip fails with 400 bad_encoding")
  void garbageGzipFails(Vertx vertx, VertxTestContext context) {
    vertx.eventBus().request(Addresses.PAYLOAD_DECODE, Buffer.buffer("not gzip at all"), encoding("gzip"))
        .onComplete(context.failing(error -> context.verify(() -> {
          assertThat(((ReplyException) error).failureCode()).isEqualTo(400);
          assertThat(error.getMessage()).startsWith("bad_encoding:");
          context.completeNow();
        })));
  }

  @Test
  @DisplayName("a JSON array body fails with 400 invalid_request")
  void nonObjectFails(Vertx vertx, VertxTestContext context) {
    vertx.eventBus().request(Addresses.PAYLOAD_DECODE, Buffer.buffer("[1,2]"), encoding("identity"))
        .onComplete(context.failing(error -> context.verify(() -> {
          assertThat(((ReplyException) error).failureCode()).isEqualTo(400);
          assertThat(error.getMessage()).startsWith("invalid_request:");
          context.completeNow();
        })));
  }
}
