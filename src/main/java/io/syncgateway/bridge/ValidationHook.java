package io.syncgateway.bridge;

import io.syncgateway.batch.PreparedBatch;
import io.syncgateway.batch.PushItem;
import io.syncgateway.batch.Rejection;
import io.syncgateway.bus.Addresses;
import io.syncgateway.bus.PreparedPush;
import io.syncgateway.config.GatewayConfig;
import io.syncgateway.config.Setting;
import io.syncgateway.metrics.SyncMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The external validator of an organization (hooks.validation.enabled), consulted by conflict
 * detection before it reads: the items go to {@code sync.hooks.validate.<org>} with a strict
 * deadline; items the answer names are rejected {@code validation} with its message. No validator,
 * no answer in time, or an answer that cannot be read: every item is accepted (the safe default
 * keeps syncing up when a side service is down), counted, and logged at most once a minute. No
 * transaction is open while it waits.
 */
public final class ValidationHook {
  private static final Logger LOG = LoggerFactory.getLogger(ValidationHook.class);
  private static final long LOG_INTERVAL_MS = 60_000;
  private static final int MAX_MESSAGE_CHARS = 1_000;

  private final Vertx vertx;
  private final boolean enabled;
  private final DeliveryOptions deadline;
  private final SyncMetrics metrics;
  private final AtomicLong lastLoggedAt = new AtomicLong(Long.MIN_VALUE);

  private ValidationHook(Vertx vertx, boolean enabled, long timeoutMs, SyncMetrics metrics) {
    this.vertx = vertx;
    this.enabled = enabled;
    this.deadline = new DeliveryOptions().setSendTimeout(timeoutMs);
    this.metrics = metrics;
  }

  public static ValidationHook fromConfig(Vertx vertx, GatewayConfig config, SyncMetrics metrics) {
    return new ValidationHook(vertx, config.flag(Setting.VALIDATION_HOOK_ENABLED),
        config.number(Setting.VALIDATION_HOOK_TIMEOUT_MS), metrics);
  }

  /** The push without the items the validator rejected (those join its rejections); never fails. */
  public Future<PreparedPush> screen(PreparedPush push) {
    if (!enabled || push.batch().items().isEmpty()) {
      return Future.succeededFuture(push);
    }
    String org = push.principal().orgId();
    return vertx.eventBus().<Object>request(Addresses.validationHookOf(org), request(push), deadline)
        .map(reply -> apply(push, rejections(reply)))
        .recover(error -> Future.succeededFuture(acceptAll(push, org, error)));
  }

  private static JsonObject request(PreparedPush push) {
    JsonArray items = new JsonArray();
    for (PushItem item : push.batch().items()) {
      items.add(new JsonObject().put("index", item.index()).put("type", item.type().singular()).put("id", item.id())
          .put("operation", item.operation().wire()).put("fields", item.fields()));
    }
    return new JsonObject().put("org", push.principal().orgId()).put("deviceId", push.batch().deviceId())
        .put("batchId", push.batch().batchId()).put("items", items);
  }

  /** Item index → message, from {@code {"rejected": [{index, message}]}}; an unreadable answer fails. */
  private static Map<Integer, String> rejections(Message<Object> reply) {
    if (!(reply.body() instanceof JsonObject body)) {
      throw new IllegalArgumentException("the answer is not a JSON object");
    }
    Map<Integer, String> rejected = new HashMap<>();
    JsonArray list = body.getJsonArray("rejected", new JsonArray());
    for (int i = 0; i < list.size(); i++) {
      JsonObject entry = list.getJsonObject(i);
      String message = entry.getString("message", "Rejected by the organization's validator");
      rejected.put(entry.getInteger("index"), message.length() > MAX_MESSAGE_CHARS
          ? message.substring(0, MAX_MESSAGE_CHARS) : message);
    }
    return rejected;
  }

  private PreparedPush apply(PreparedPush push, Map<Integer, String> rejected) {
    if (rejected.isEmpty()) {
      return push;
    }
    PreparedBatch batch = push.batch();
    List<PushItem> kept = new ArrayList<>();
    List<Rejection> rejections = new ArrayList<>(batch.rejected());
    for (PushItem item : batch.items()) {
      String message = rejected.get(item.index());
      if (message == null) {
        kept.add(item);
      } else {
        rejections.add(Rejection.validation(item.type(), item.id(), message));
      }
    }
    metrics.validationHookRejected(rejections.size() - batch.rejected().size());
    return new PreparedPush(push.principal(), new PreparedBatch(batch.deviceId(), batch.batchId(),
        batch.deviceClock(), batch.priority(), kept, rejections));
  }

  private PreparedPush acceptAll(PreparedPush push, String org, Throwable error) {
    String reason = reason(error);
    metrics.validationHookDefaulted(reason);
    long now = System.currentTimeMillis();
    long last = lastLoggedAt.get();
    if (now - last >= LOG_INTERVAL_MS && lastLoggedAt.compareAndSet(last, now)) {
      LOG.warn("Validation hook of organization {}: {} ({}); accepting the items (logged at most once a minute, "
          + "see sync_validation_hook_defaulted_total)", org, reason, error.getMessage());
    }
    return push;
  }

  private static String reason(Throwable error) {
    if (error instanceof ReplyException reply) {
      return reply.failureType() == ReplyFailure.NO_HANDLERS ? "no_validator"
          : reply.failureType() == ReplyFailure.TIMEOUT ? "timeout" : "failed";
    }
    return "unreadable";
  }
}
