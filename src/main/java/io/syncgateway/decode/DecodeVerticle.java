package io.syncgateway.decode;

import io.syncgateway.batch.BatchPreparer;
import io.syncgateway.bus.Addresses;
import io.syncgateway.bus.BusCodecs;
import io.syncgateway.bus.BusErrors;
import io.syncgateway.bus.PreparedPush;
import io.syncgateway.bus.PushRequest;
import io.syncgateway.bus.PushResult;
import io.syncgateway.bus.Replies;
import io.syncgateway.config.GatewayConfig;
import io.syncgateway.config.Setting;
import io.syncgateway.memory.MemoryBudget;
import io.syncgateway.memory.MemoryMeter;
import io.syncgateway.memory.Reservation;
import io.syncgateway.metrics.SyncMetrics;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Worker verticle, the first stage of a push ({@value Addresses#PUSH_DECODE}): undoes gzip/deflate,
 * parses the JSON strictly and checks the envelope and every item, off the event loops, then hands
 * the typed batch to conflict detection and relays its answer. Each instance decodes one message at
 * a time; parallelism is the instance count.
 *
 * <p>Memory: a push first reserves room for its raw bytes in the process's {@link MemoryBudget}
 * (waiting briefly when it is spent), then grows that reservation as it inflates and as its JSON
 * tree is built, and stops with 503 overloaded when the budget cannot grow. Once the batch is
 * prepared the body and its bytes are garbage: the reservation shrinks to what the batch holds and
 * is released when the push is answered.
 */
public class DecodeVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(DecodeVerticle.class);

  private PayloadDecoder decoder;
  private StrictJsonParser parser;
  private BatchPreparer preparer;
  private SyncMetrics metrics;
  private DeliveryOptions nextStage;
  private MemoryBudget budget;

  @Override
  public Future<?> start() {
    BusCodecs.register(vertx);
    GatewayConfig config = GatewayConfig.from(config());
    decoder = new PayloadDecoder(config.integer(Setting.MAX_DECODED_BYTES));
    parser = new StrictJsonParser(config.integer(Setting.MAX_JSON_DEPTH));
    preparer = new BatchPreparer(config.integer(Setting.MAX_BATCH_ITEMS));
    metrics = SyncMetrics.of(config.string(Setting.METRICS_REGISTRY));
    nextStage = new DeliveryOptions().setSendTimeout(config.number(Setting.BUS_TIMEOUT_MS));
    budget = MemoryBudget.shared(vertx, config, metrics);
    return vertx.eventBus().<PushRequest>consumer(Addresses.PUSH_DECODE, Replies.replying(this::handle)).completion();
  }

  private Future<PushResult> handle(PushRequest request) {
    return budget.reserve(request.body().length(), "push-decode")
        .compose(reservation -> decodeAndHandOn(request, reservation));
  }

  private Future<PushResult> decodeAndHandOn(PushRequest request, Reservation reservation) {
    PreparedPush prepared;
    try {
      MemoryMeter meter = MemoryMeter.of(reservation);
      prepared = prepare(request, meter);
      reservation.shrinkTo(meter.live());
    } catch (RuntimeException e) {
      reservation.release();
      return Future.failedFuture(e);
    } catch (OutOfMemoryError e) {
      // The budget's estimates fell short: the arrays of this push are garbage now, so answer it and carry on.
      reservation.release();
      LOG.warn("A push ran out of heap while decoding ({}); answered 503 overloaded", e.toString());
      return Future.failedFuture(MemoryBudget.overloaded());
    }
    return vertx.eventBus().<PushResult>request(Addresses.PUSH_DECIDE, prepared, nextStage)
        .onComplete(answered -> reservation.release())
        .recover(BusErrors::timeoutLeavesPushOutcomeUnknown)
        .map(Message::body);
  }

  /**
   * Decoded, parsed and checked; the raw bytes are dropped as soon as they are parsed. The meter
   * counts what is held at each step; at the end, the tree the batch was prepared from (the batch
   * keeps its values).
   */
  PreparedPush prepare(PushRequest request, MemoryMeter meter) {
    byte[] received = copyCharged(request.body(), meter);
    byte[] decoded = decoder.decode(received, request.encoding(), meter);
    if (decoded != received) {
      meter.credit(received.length);
    }
    metrics.bodyBytes(received.length, decoded.length);
    JsonObject body = parser.parseObject(decoded, meter);
    meter.credit(decoded.length);
    return new PreparedPush(request.principal(),
        preparer.prepare(request.principal(), request.headerDeviceId(), body));
  }

  private static byte[] copyCharged(Buffer body, MemoryMeter meter) {
    meter.charge(body.length());
    return body.getBytes();
  }
}
