package io.syncgateway.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.backends.BackendRegistries;
import java.util.function.Supplier;

/**
 * The gateway's own Prometheus series, beside the HTTP, event-bus, pool and JVM series that
 * Vert.x records: entities pushed and pulled by type, push outcomes, bytes before and after
 * decoding, problem answers by code, circuit-breaker state.
 */
public final class SyncMetrics {
  private final MeterRegistry registry;

  private SyncMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** The registry Vert.x metrics were set up with, or a private one when metrics are off (tests). */
  public static SyncMetrics of(String registryName) {
    MeterRegistry registry = BackendRegistries.getNow(registryName);
    return new SyncMetrics(registry != null ? registry : new SimpleMeterRegistry());
  }

  public void bodyBytes(int received, int decoded) {
    registry.counter("sync_push_body_bytes", "stage", "received").increment(received);
    registry.counter("sync_push_body_bytes", "stage", "decoded").increment(decoded);
  }

  /** Items of a prepared batch by type, and the outcomes of its push response. */
  public void pushed(JsonObject preparedBatch, JsonObject response) {
    countTypes(preparedBatch.getJsonArray("items"), "type", "sync_entities_pushed");
    countTypes(preparedBatch.getJsonArray("rejected"), "entityType", "sync_entities_pushed");
    int processed = response.getInteger("processed", 0);
    registry.counter("sync_push_outcomes", "outcome", "processed", "code", "").increment(processed);
    outcome(response.getJsonArray("conflicts"), "conflict");
    outcome(response.getJsonArray("superseded"), "superseded");
    for (Object rejection : response.getJsonArray("rejected")) {
      JsonObject item = (JsonObject) rejection;
      registry.counter("sync_push_outcomes", "outcome", "rejected", "code", item.getString("code")).increment();
    }
    for (Object conflict : response.getJsonArray("conflicts")) {
      registry.counter("sync_conflicts", "type", ((JsonObject) conflict).getString("entityType")).increment();
    }
  }

  public void pulled(JsonObject page) {
    registry.counter("sync_entities_pulled", "type", "task").increment(page.getJsonArray("tasks").size());
    registry.counter("sync_entities_pulled", "type", "comment").increment(page.getJsonArray("comments").size());
    registry.counter("sync_entities_pulled", "type", "attachment").increment(page.getJsonArray("attachments").size());
    registry.counter("sync_entities_pulled", "type", "tombstone").increment(page.getJsonArray("tombstones").size());
  }

  public void problem(int status, String code) {
    registry.counter("sync_problems", "status", String.valueOf(status), "code", code).increment();
  }

  /** Circuit breaker state as a number: 0 closed, 1 half-open, 2 open. */
  public void breakerState(String name, Supplier<Number> state) {
    Gauge.builder("sync_circuit_breaker_state", state).tag("name", name).strongReference(true).register(registry);
  }

  private void outcome(JsonArray items, String outcome) {
    registry.counter("sync_push_outcomes", "outcome", outcome, "code", "").increment(items.size());
  }

  private void countTypes(JsonArray items, String field, String name) {
    for (Object item : items) {
      registry.counter(name, "type", ((JsonObject) item).getString(field)).increment();
    }
  }
}
