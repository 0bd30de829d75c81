package io.syncgateway.decode;

import io.syncgateway.batch.BatchPreparer;
import io.syncgateway.bus.Addresses;
import io.syncgateway.bus.BusCodecs;
import io.syncgateway.bus.PreparedPush;
import io.syncgateway.bus.PushRequest;
import io.syncgateway.bus.PushResult;
import io.syncgateway.bus.Replies;
import io.syncgateway.config.GatewayConfig;
import io.syncgateway.config.Setting;
import io.syncgateway.metrics.SyncMetrics;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

/**
 * Worker verticle, the first stage of a push ({@value Addresses#PUSH_DECODE}): undoes gzip/deflate,
 * parses the JSON strictly and checks the envelope and every item, off the event loops, then hands
 * the typed batch to conflict detection and relays its answer. Each instance handles one message at
 * a time; parallelism is the instance count.
 */
public class DecodeVerticle extends VerticleBase {
  private PayloadDecoder decoder;
  private StrictJsonParser parser;
  private BatchPreparer preparer;
  private SyncMetrics metrics;
  private DeliveryOptions nextStage;

  @Override
  public Future<?> start() {
    BusCodecs.register(vertx);
    GatewayConfig config = GatewayConfig.from(config());
    decoder = new PayloadDecoder(config.integer(Setting.MAX_DECODED_BYTES));
    parser = new StrictJsonParser(config.integer(Setting.MAX_JSON_DEPTH));
    preparer = new BatchPreparer(config.integer(Setting.MAX_BATCH_ITEMS));
    metrics = SyncMetrics.of(config.string(Setting.METRICS_REGISTRY));
    nextStage = new DeliveryOptions().setSendTimeout(config.number(Setting.BUS_TIMEOUT_MS));
    return vertx.eventBus().<PushRequest>consumer(Addresses.PUSH_DECODE, Replies.replying(this::handle)).completion();
  }

  private Future<PushResult> handle(PushRequest request) {
    return vertx.eventBus().<PushResult>request(Addresses.PUSH_DECIDE, prepare(request), nextStage)
        .map(Message::body);
  }

  /** Decoded, parsed and checked; the raw bytes are dropped as soon as they are parsed. */
  PreparedPush prepare(PushRequest request) {
    byte[] received = request.body().getBytes();
    byte[] decoded = decoder.decode(received, request.encoding());
    metrics.bodyBytes(received.length, decoded.length);
    JsonObject body = parser.parseObject(decoded);
    return new PreparedPush(request.principal(),
        preparer.prepare(request.principal(), request.headerDeviceId(), body));
  }
}
