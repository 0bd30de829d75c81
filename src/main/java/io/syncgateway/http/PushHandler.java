package io.syncgateway.http;

import io.syncgateway.bus.Addresses;
import io.syncgateway.bus.BusErrors;
import io.syncgateway.bus.ErrorCode;
import io.syncgateway.bus.GatewayException;
import io.syncgateway.bus.PushRequest;
import io.syncgateway.bus.PushResult;
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
 * POST /api/sync/push: checks what can be judged from the headers, then sends the body down the push
 * pipeline (decode → conflict → persistence, see {@link Addresses}) and answers what comes back.
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
    Buffer body = rc.body().buffer();
    PushRequest request = new PushRequest(Authenticator.principal(rc), rc.request().getHeader(DEVICE_HEADER),
        PayloadDecoder.normalize(rc.request().getHeader("Content-Encoding")), body == null ? Buffer.buffer() : body);
    eventBus.<PushResult>request(Addresses.PUSH_DECODE, request, busOptions)
        .recover(BusErrors::timeoutLeavesPushOutcomeUnknown)
        .compose(reply -> respond(rc, reply.body()))
        .onFailure(rc::fail);
  }


  /** Answers the push response; the request log gets the device and the counts. */
  private static Future<Void> respond(RoutingContext rc, PushResult result) {
    JsonObject response = result.response();
    rc.put(RequestLog.DEVICE_KEY, result.deviceId());
    Map<String, Object> counts = new LinkedHashMap<>();
    counts.put("applied", result.applied());
    counts.put("acknowledged", result.acknowledged());
    counts.put("conflicts", response.getJsonArray("conflicts").size());
    counts.put("superseded", response.getJsonArray("superseded").size());
    counts.put("rejected", response.getJsonArray("rejected").size());
    counts.put("replayed", result.replayed());
    rc.put(RequestLog.OUTCOME_KEY, counts);
    return rc.json(response);
  }
}
