package io.syncgateway.http;

import io.syncgateway.auth.Principal;
import io.syncgateway.bus.Addresses;
import io.syncgateway.bus.ErrorCode;
import io.syncgateway.bus.GatewayException;
import io.syncgateway.decode.DecodeVerticle;
import io.syncgateway.decode.PayloadDecoder;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * POST /api/sync/push: checks what can be judged from the headers, then hands the body to the
 * decode worker, the conflict verticle (validation) and persistence, in that order.
 */
final class PushHandler {
  static final String DEVICE_HEADER = "X-Device-Id";

  private final EventBus eventBus;
  private final DeliveryOptions busOptions;

  PushHandler(EventBus eventBus, DeliveryOptions busOptions) {
    this.eventBus = eventBus;
    this.busOptions = busOptions;
  }

  /** Runs before the body is read: permission, media type and content coding. */
  void checkHeaders(RoutingContext rc) {
    if (!Authenticator.principal(rc).canWrite()) {
      throw new GatewayException(ErrorCode.FORBIDDEN, "The viewer role may pull but not push");
    }
    if (!MediaTypes.isJson(rc.request().getHeader("Content-Type"))) {
      throw new GatewayException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "Content-Type must be application/json");
    }
    String encoding = rc.request().getHeader("Content-Encoding");
    if (!PayloadDecoder.isSupported(encoding)) {
      throw new GatewayException(ErrorCode.UNSUPPORTED_ENCODING,
          "Content-Encoding must be gzip, deflate or identity");
    }
    rc.next();
  }

  void handle(RoutingContext rc) {
    Principal principal = Authenticator.principal(rc);
    Buffer body = rc.body().buffer();
    DeliveryOptions decodeOptions = new DeliveryOptions(busOptions)
        .addHeader(DecodeVerticle.ENCODING_HEADER, PayloadDecoder.normalize(rc.request().getHeader("Content-Encoding")));
    eventBus.<JsonObject>request(Addresses.PAYLOAD_DECODE, body == null ? Buffer.buffer() : body, decodeOptions)
        .compose(decoded -> eventBus.<JsonObject>request(Addresses.BATCH_PREPARE, new JsonObject()
            .put("principal", principal.toJson())
            .put("headerDeviceId", rc.request().getHeader(DEVICE_HEADER))
            .put("batch", decoded.body()), busOptions))
        .compose(prepared -> {
          rc.put(RequestLog.DEVICE_KEY, prepared.body().getString("deviceId"));
          return eventBus.<JsonObject>request(Addresses.PUSH_APPLY, new JsonObject()
              .put("principal", principal.toJson())
              .put("batch", prepared.body()), busOptions);
        })
        .compose(applied -> respond(rc, applied.body()))
        .onFailure(rc::fail);
  }

  /** Answers the push response; the request log gets its counts. */
  private static Future<Void> respond(RoutingContext rc, JsonObject outcome) {
    JsonObject response = outcome.getJsonObject("response");
    Map<String, Object> counts = new LinkedHashMap<>();
    counts.put("applied", outcome.getInteger("applied"));
    counts.put("acknowledged", outcome.getInteger("acknowledged"));
    counts.put("conflicts", response.getJsonArray("conflicts").size());
    counts.put("superseded", response.getJsonArray("superseded").size());
    counts.put("rejected", response.getJsonArray("rejected").size());
    counts.put("replayed", outcome.getBoolean("replayed"));
    rc.put(RequestLog.OUTCOME_KEY, counts);
    return rc.json(response);
  }
}
