package io.syncgateway.bus;

import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

/**
 * Readiness probes of the event-bus consumers: a message with the {@value #HEADER} header is
 * answered at once by any consumer of the gateway, without doing its work. A probe that finds no
 * consumer, or no answer in time, shows that verticle is missing or stuck.
 */
public final class Probe {
  public static final String HEADER = "x-sync-probe";

  private Probe() {}

  /** Options that mark a request as a probe. */
  public static DeliveryOptions options(long timeoutMs) {
    return new DeliveryOptions().addHeader(HEADER, "1").setSendTimeout(timeoutMs);
  }

  /** Answers the message if it is a probe; the consumer then does nothing else with it. */
  public static boolean answered(Message<?> message) {
    if (message.headers().get(HEADER) == null) {
      return false;
    }
    message.reply(new JsonObject().put("status", "UP"));
    return true;
  }
}
