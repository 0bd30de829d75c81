package io.syncgateway.bridge;

import io.syncgateway.auth.TokenService;
import io.syncgateway.bus.Addresses;
import io.syncgateway.config.GatewayConfig;
import io.syncgateway.config.Setting;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServerOptions;
import io.vertx.ext.bridge.BridgeOptions;
import io.vertx.ext.bridge.PermittedOptions;
import io.vertx.ext.eventbus.bridge.tcp.TcpEventBusBridge;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TCP event-bus bridge (off by default, loopback by default): services in any language join
 * the bus with the framing of vertx-tcp-eventbus-bridge (a 4-byte big-endian length, then a JSON
 * frame). Only three address families are reachable, all outbound and all per organization: the
 * change stream ({@code sync.changes.<org>}), the change stream with bodies
 * ({@code sync.changes-full.<org>}, for tokens with the scope {@code changes:bodies}) and the
 * validation hook ({@code sync.hooks.validate.<org>});
 * nothing may be sent or published into the gateway except replies to what it sent. Every frame is
 * checked by {@link ServiceFrameGuard}.
 */
public final class EventBusBridge implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EventBusBridge.class);

  private final TcpEventBusBridge bridge;

  private EventBusBridge(TcpEventBusBridge bridge) {
    this.bridge = bridge;
  }

  public static Future<EventBusBridge> start(Vertx vertx, GatewayConfig config) {
    BridgeOptions permitted = new BridgeOptions()
        .addOutboundPermitted(new PermittedOptions().setAddressRegex(Pattern.quote(Addresses.CHANGES_PREFIX) + ".+"))
        .addOutboundPermitted(new PermittedOptions().setAddressRegex(
            Pattern.quote(Addresses.CHANGES_WITH_BODIES_PREFIX) + ".+"))
        .addOutboundPermitted(new PermittedOptions().setAddressRegex(Pattern.quote(Addresses.VALIDATE_HOOK_PREFIX) + ".+"));
    ServiceFrameGuard guard = new ServiceFrameGuard(TokenService.fromConfig(vertx, config));
    String host = config.string(Setting.BRIDGE_HOST);
    int port = config.integer(Setting.BRIDGE_PORT);
    return TcpEventBusBridge.create(vertx, permitted, new NetServerOptions(), guard)
        .listen(port, host)
        .map(EventBusBridge::new)
        .onSuccess(started -> LOG.info("Event-bus bridge listening on {}:{}", host, port));
  }

  @Override
  public void close() {
    bridge.close();
  }
}
