package io.syncgateway.bridge;

import io.syncgateway.auth.Principal;
import io.syncgateway.auth.TokenService;
import io.syncgateway.bus.Addresses;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.bridge.BridgeEventType;
import io.vertx.ext.eventbus.bridge.tcp.BridgeEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks every frame a bridged service sends: it must carry a service token (an admin-role JWT of
 * the gateway, in the frame's {@value #TOKEN_HEADER} header); it may register only its own
 * organization's change stream (with entity bodies only if the token has the scope
 * {@code changes:bodies}) or validation hook, and send only replies to messages it received.
 * A refused frame is answered with an error frame by the bridge and logged here. The token never
 * travels on: it is removed from the frame before the bridge acts on it.
 */
final class ServiceFrameGuard implements Handler<BridgeEvent> {
  static final String TOKEN_HEADER = "token";
  private static final Logger LOG = LoggerFactory.getLogger(ServiceFrameGuard.class);
  /** Replies go to the address the bridge received with the message; the bridge itself checks it is one. */
  private static final String REPLY_PREFIX = "__vertx.reply.";

  private final TokenService tokens;

  ServiceFrameGuard(TokenService tokens) {
    this.tokens = tokens;
  }

  @Override
  public void handle(BridgeEvent event) {
    if (event.type() == BridgeEventType.REGISTERED || event.type() == BridgeEventType.SOCKET_CLOSED
        || event.type() == BridgeEventType.SOCKET_CREATED) {
      event.complete(true); // the bridge's own notices, not frames from the service
      return;
    }
    JsonObject frame = event.getRawMessage() == null ? new JsonObject() : event.getRawMessage();
    JsonObject headers = frame.getJsonObject("headers");
    Object token = headers == null ? null : headers.remove(TOKEN_HEADER);
    if (!(token instanceof String text) || text.isEmpty()) {
      refuse(event, frame, "no service token");
      return;
    }
    tokens.verify(text).onComplete(verified -> {
      if (verified.failed()) {
        refuse(event, frame, "invalid service token (" + verified.cause().getMessage() + ")");
      } else if (!verified.result().isAdmin()) {
        refuse(event, frame, "the token's role is not admin");
      } else {
        String reason = refusal(event.type(), frame.getString("address"), verified.result());
        if (reason != null) {
          refuse(event, frame, reason);
        } else {
          event.complete(true);
        }
      }
    });
  }

  /** Why a frame of a verified service is refused, or null when it is allowed. */
  static String refusal(BridgeEventType type, String address, Principal service) {
    String org = service.orgId();
    switch (type) {
      case SOCKET_PING:
        return null;
      case REGISTER:
      case UNREGISTER:
        if (Addresses.changesWithBodiesOf(org).equals(address)) {
          return service.hasScope(Principal.CHANGE_BODIES) ? null
              : "entity bodies need a token with the scope " + Principal.CHANGE_BODIES;
        }
        return Addresses.changesOf(org).equals(address) || Addresses.validationHookOf(org).equals(address) ? null
            : "address not allowed for organization " + org;
      case SEND:
        return address != null && address.startsWith(REPLY_PREFIX) ? null : "only replies may be sent";
      default:
        return "frame type not allowed";
    }
  }

  private void refuse(BridgeEvent event, JsonObject frame, String reason) {
    LOG.warn("Bridge: refused a {} frame for address '{}' from {}: {}", frame.getString("type"),
        frame.getString("address"), event.socket() == null ? "?" : event.socket().remoteAddress(), reason);
    event.complete(false);
  }
}
