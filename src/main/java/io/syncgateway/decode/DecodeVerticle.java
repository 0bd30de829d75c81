package io.syncgateway.decode;

import io.syncgateway.bus.Addresses;
import io.syncgateway.bus.BusErrors;
import io.syncgateway.bus.Probe;
import io.syncgateway.config.GatewayConfig;
import io.syncgateway.config.Setting;
import io.syncgateway.metrics.SyncMetrics;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;

/**
 * Worker verticle: undoes gzip/deflate and parses the JSON of pushed bodies, off the event loops.
 * Each instance handles one message at a time; parallelism is the instance count.
 */
public class DecodeVerticle extends VerticleBase {
  public static final String ENCODING_HEADER = "encoding";

  private PayloadDecoder decoder;
  private StrictJsonParser parser;
  private SyncMetrics metrics;

  @Override
  public Future<?> start() {
    GatewayConfig config = GatewayConfig.from(config());
    decoder = new PayloadDecoder(config.integer(Setting.MAX_DECODED_BYTES));
    parser = new StrictJsonParser(config.integer(Setting.MAX_JSON_DEPTH));
    metrics = SyncMetrics.of(config.string(Setting.METRICS_REGISTRY));
    return vertx.eventBus().<Buffer>consumer(Addresses.PAYLOAD_DECODE, this::decode).completion();
  }

  private void decode(Message<Buffer> message) {
    if (Probe.answered(message)) {
      return;
    }
    try {
      byte[] received = message.body().getBytes();
      byte[] decoded = decoder.decode(received, message.headers().get(ENCODING_HEADER));
      metrics.bodyBytes(received.length, decoded.length);
      message.reply(parser.parseObject(decoded));
    } catch (RuntimeException e) {
      BusErrors.reply(message, e);
    }
  }
}
