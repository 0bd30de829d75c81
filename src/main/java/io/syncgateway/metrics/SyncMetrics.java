package io.syncgateway.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.syncgateway.admission.Admission;
import io.syncgateway.batch.PreparedBatch;
import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.backends.BackendRegistries;
import java.time.Duration;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The gateway's own Prometheus series, beside the HTTP, event-bus, pool and JVM series that
 * Vert.x records. docs/operations.md lists every series with its labels and meaning.
 */
public final class SyncMetrics {
  private static final String HTTP_LATENCY = "vertx.http.server.response.time";
  private static final double[] LATENCY_BUCKETS_NANOS = Stream.of(5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000)
      .mapToDouble(ms -> Duration.ofMillis(ms).toNanos()).toArray();
  private static final String ROUTE_LABEL = "route";

  private final MeterRegistry registry;

  private SyncMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /**
   * The Prometheus registry for Vert.x metrics: HTTP server latency is published as a histogram
   * (buckets from 5 ms to 10 s), and process file descriptors join the JVM and process series.
   */
  public static PrometheusMeterRegistry newPrometheusRegistry() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().meterFilter(new MeterFilter() {
      @Override
      public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
        if (!id.getName().equals(HTTP_LATENCY)) {
          return config;
        }
        return DistributionStatisticConfig.builder().serviceLevelObjectives(LATENCY_BUCKETS_NANOS).build().merge(config);
      }
    });
    // Vert.x labels a request with the chain of routes it passed (auth, header check, handler):
    // keep the last, the endpoint's own path, so dashboards see one series per endpoint.
    registry.config().meterFilter(MeterFilter.replaceTagValues(ROUTE_LABEL,
        chain -> chain.substring(chain.lastIndexOf('>') + 1)));
    new FileDescriptorMetrics().bindTo(registry);
    return registry;
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

  /**
   * A committed push: its items by type, and, unless it replayed a recorded batchId, the outcome
   * of every item and the conflicts by type.
   */
  public void pushed(PreparedBatch batch, JsonObject response, boolean replayed, int applied, int acknowledged) {
    batch.items().forEach(item -> registry.counter("sync_entities_pushed", "type", item.type().singular()).increment());
    batch.rejected().forEach(item -> registry.counter("sync_entities_pushed", "type", item.type().singular()).increment());
    if (replayed) {
      registry.counter("sync_push_replayed_batches").increment();
      return;
    }
    registry.counter("sync_push_batches").increment();
    outcome("applied", applied);
    outcome("acknowledged", acknowledged);
    outcome("superseded", response.getJsonArray("superseded").size());
    outcome("conflict", response.getJsonArray("conflicts").size());
    for (Object rejection : response.getJsonArray("rejected")) {
      registry.counter("sync_push_outcomes", "outcome", "rejected", "code", ((JsonObject) rejection).getString("code"))
          .increment();
    }
    countTypes(response.getJsonArray("conflicts"), "entityType", "sync_conflicts");
  }

  public void pulled(int tasks, int comments, int attachments, int tombstones) {
    registry.counter("sync_entities_pulled", "type", "task").increment(tasks);
    registry.counter("sync_entities_pulled", "type", "comment").increment(comments);
    registry.counter("sync_entities_pulled", "type", "attachment").increment(attachments);
    registry.counter("sync_entities_pulled", "type", "tombstone").increment(tombstones);
  }

  public void problem(int status, String code) {
    registry.counter("sync_problems", "status", String.valueOf(status), "code", code).increment();
  }

  /** HTTP connections open in this process (all HTTP verticle instances together). */
  public void openConnections(Supplier<Number> open) {
    Gauge.builder("sync_http_connections_open", open).strongReference(true).register(registry);
  }

  /** A connection closed at once on arrival: {@code reason} = process_cap or address_cap. */
  public void connectionRefused(String reason) {
    registry.counter("sync_http_connections_refused", "reason", reason).increment();
  }

  /** A connection closed because its request head or body did not arrive in time ({@code phase} = head, body). */
  public void connectionTimedOut(String phase) {
    registry.counter("sync_http_connections_timed_out", "phase", phase).increment();
  }

  /** Circuit breaker state as a number: 0 closed, 1 half-open, 2 open; transitions start at 0. */
  public void breakerState(String name, Supplier<CircuitBreakerState> state) {
    for (CircuitBreakerState target : CircuitBreakerState.values()) {
      registry.counter("sync_circuit_breaker_transitions", "name", name, "state", target.name());
    }
    Gauge.builder("sync_circuit_breaker_state", () -> switch (state.get()) {
          case CLOSED -> 0;
          case HALF_OPEN -> 1;
          case OPEN -> 2;
        })
        .tag("name", name).strongReference(true).register(registry);
  }

  public void breakerTransition(String name, String toState) {
    registry.counter("sync_circuit_breaker_transitions", "name", name, "state", toState).increment();
  }

  /**
   * An admission queue: operations running and waiting, and those shed, by priority for
   * prioritized work ({@code priority="any"} otherwise).
   */
  public void admission(String operation, Admission admission, boolean prioritized) {
    Gauge.builder("sync_admission_running", admission, Admission::running)
        .tag("operation", operation).strongReference(true).register(registry);
    Gauge.builder("sync_admission_waiting", admission, Admission::waiting)
        .tag("operation", operation).strongReference(true).register(registry);
    Gauge.builder("sync_admission_concurrency_limit", admission, a -> a.limits().concurrency())
        .tag("operation", operation).strongReference(true).register(registry);
    // Fairness across organizations, without a label per organization (their number is unbounded).
    Gauge.builder("sync_admission_organization_slot_limit", admission, a -> a.limits().organizationSlots())
        .tag("operation", operation).strongReference(true).register(registry);
    Gauge.builder("sync_admission_organizations", admission, Admission::organizations)
        .tag("operation", operation).strongReference(true).register(registry);
    FunctionCounter.builder("sync_admission_refused", admission, Admission::refusedCount)
        .tag("operation", operation).register(registry);
    if (!prioritized) {
      FunctionCounter.builder("sync_admission_shed", admission, a -> {
            long total = 0;
            for (int priority = Admission.MOST_URGENT; priority <= Admission.LEAST_URGENT; priority++) {
              total += a.shedCount(priority);
            }
            return total;
          })
          .tags("operation", operation, "priority", "any").register(registry);
      return;
    }
    for (int priority = Admission.MOST_URGENT; priority <= Admission.LEAST_URGENT; priority++) {
      int level = priority;
      FunctionCounter.builder("sync_admission_shed", admission, a -> a.shedCount(level))
          .tags("operation", operation, "priority", String.valueOf(level)).register(registry);
    }
  }

  /**
   * A pull page that found committed changes held back by a transaction still running, and waited
   * for it: how long, and whether the horizon passed them in time ({@code passed}) or not.
   */
  public void feedHoldback(long waitedMs, boolean passed) {
    registry.timer("sync_pull_holdback", "outcome", passed ? "passed" : "timed_out")
        .record(Duration.ofMillis(waitedMs));
  }

  /** How long the oldest running transaction of the database cluster has been holding the feed horizon. */
  public void oldestTransactionAge(Supplier<Number> ageMs) {
    Gauge.builder("sync_feed_oldest_transaction_age_ms", ageMs).strongReference(true).register(registry);
  }

  /** A push decided again because another push changed one of its entities before its commit. */
  public void pushRedecided() {
    registry.counter("sync_push_redecided").increment();
  }

  /** A conflict decision that failed (a bug, not a database fault): its push was answered 500. */
  public void decisionFailed() {
    registry.counter("sync_push_decision_failures").increment();
  }

  /** Last-seen times or sync-log rows dropped (buffer full, or the database refused a batch of them). */
  public void activityDropped(long records) {
    registry.counter("sync_activity_dropped").increment(records);
  }

  /** Devices that have not pulled for half the retention period, counted from the database. */
  public void devicesHeadingForResync(Supplier<Number> count) {
    Gauge.builder("sync_devices_heading_for_resync", count).strongReference(true).register(registry);
  }

  /**
   * The embedded PostgreSQL's supervision: its state (0 running, 1 restarting, 2 given up: liveness fails) and,
   * from zero, its restart attempts by outcome.
   */
  public void embeddedDatabaseState(Supplier<Number> state) {
    Gauge.builder("sync_embedded_database_state", state).strongReference(true).register(registry);
    embeddedDatabaseRestarts(true);
    embeddedDatabaseRestarts(false);
  }

  /** One attempt to restart the embedded PostgreSQL after its postmaster died. */
  public void embeddedDatabaseRestart(boolean succeeded) {
    embeddedDatabaseRestarts(succeeded).increment();
  }

  private io.micrometer.core.instrument.Counter embeddedDatabaseRestarts(boolean succeeded) {
    return registry.counter("sync_embedded_database_restarts", "outcome", succeeded ? "succeeded" : "failed");
  }

  /** The memory budget (io.syncgateway.memory): its size, what is reserved, how many wait for room. */
  public void memoryBudget(Supplier<Number> capacityBytes, Supplier<Number> reservedBytes, Supplier<Number> waiting) {
    Gauge.builder("sync_memory_budget_bytes", capacityBytes).strongReference(true).register(registry);
    Gauge.builder("sync_memory_reserved_bytes", reservedBytes).strongReference(true).register(registry);
    Gauge.builder("sync_memory_waiting", waiting).strongReference(true).register(registry);
  }

  /** Work refused 503 overloaded for want of memory; {@code use} = push-body, push-decode, pull. */
  public void memoryRefused(String use) {
    registry.counter("sync_memory_refused", "use", use).increment();
  }

  private void outcome(String outcome, int count) {
    registry.counter("sync_push_outcomes", "outcome", outcome, "code", "").increment(count);
  }

  private void countTypes(JsonArray items, String field, String name) {
    for (Object item : items) {
      registry.counter(name, "type", ((JsonObject) item).getString(field)).increment();
    }
  }

  /** Live-update streams open in the process (all HTTP verticle instances together). */
  public void liveStreamsOpen(Supplier<Number> open) {
    Gauge.builder("sync_live_streams_open", open).strongReference(true).register(registry);
  }

  /** An {@code event: changes} written to a stream, {@code lagMs} after the commit it announces. */
  public void liveEventSent(long lagMs) {
    registry.counter("sync_live_events_sent").increment();
    registry.timer("sync_live_notification_lag").record(Duration.ofMillis(Math.max(0, lagMs)));
  }

  /** A change merged into an event its stream had not yet been able to write. */
  public void liveEventMerged() {
    registry.counter("sync_live_events_merged").increment();
  }

  /** The process's listening connection to PostgreSQL was re-established. */
  /** The validation hook did not answer usably in time (reason: no_validator, timeout, failed, unreadable). */
  public void validationHookDefaulted(String reason) {
    registry.counter("sync_validation_hook_defaulted", "reason", reason).increment();
  }

  public void validationHookRejected(int items) {
    registry.counter("sync_validation_hook_rejected_items").increment(items);
  }

  public void liveListenerReconnected() {
    registry.counter("sync_live_listener_reconnects").increment();
  }

  /** A stream refused at open: {@code reason} = user_cap or process_cap. */
  public void liveStreamRefused(String reason) {
    registry.counter("sync_live_streams_refused", "reason", reason).increment();
  }
}
