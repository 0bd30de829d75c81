package io.syncgateway.bench;

import io.vertx.core.AsyncResult;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/** What one workload did against one target (gateway or direct database): counts, latencies, errors. */
final class Measurement {
  private final String workload;
  private final String target;
  private final Histogram latencyMicros = new ConcurrentHistogram(TimeUnit.MINUTES.toMicros(10), 3);
  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong entities = new AtomicLong();
  private final AtomicLong conflicts = new AtomicLong();
  private final AtomicLong rejected = new AtomicLong();
  private final Map<String, AtomicLong> errors = new ConcurrentHashMap<>();
  private final JsonObject extra = new JsonObject();
  private long wallNanos;

  Measurement(String workload, String target) {
    this.workload = workload;
    this.target = target;
  }

  String workload() {
    return workload;
  }

  String target() {
    return target;
  }

  void record(AsyncResult<Outcome> result, long latencyNanos) {
    requests.incrementAndGet();
    latencyMicros.recordValue(Math.max(1, Math.min(latencyNanos / 1000, latencyMicros.getHighestTrackableValue())));
    if (result.succeeded()) {
      entities.addAndGet(result.result().entities());
      conflicts.addAndGet(result.result().conflicts());
      rejected.addAndGet(result.result().rejected());
    } else {
      errors.computeIfAbsent(RequestFailed.kindOf(result.cause()), kind -> new AtomicLong()).incrementAndGet();
    }
  }

  /** Adds what {@code other} recorded (requests, latencies, errors) to this measurement. */
  void add(Measurement other) {
    requests.addAndGet(other.requests.get());
    entities.addAndGet(other.entities.get());
    conflicts.addAndGet(other.conflicts.get());
    rejected.addAndGet(other.rejected.get());
    latencyMicros.add(other.latencyMicros);
    other.errors.forEach((kind, count) ->
        errors.computeIfAbsent(kind, k -> new AtomicLong()).addAndGet(count.get()));
  }

  void finish(long wallNanos) {
    this.wallNanos = wallNanos;
  }

  /** Extra figures of this measurement (CPU, memory, rate ...), shown in the JSON. */
  JsonObject extra() {
    return extra;
  }

  double seconds() {
    return wallNanos / 1e9;
  }

  long entities() {
    return entities.get();
  }

  long requests() {
    return requests.get();
  }

  /** Requests answered with success (200). */
  long successes() {
    return requests.get() - errorCount();
  }

  long errorCount() {
    return errors.values().stream().mapToLong(AtomicLong::get).sum();
  }

  double entitiesPerSecond() {
    return wallNanos == 0 ? 0 : entities.get() / seconds();
  }

  double requestsPerSecond() {
    return wallNanos == 0 ? 0 : requests.get() / seconds();
  }

  /** Conflicts per pushed entity. */
  double conflictRate() {
    long items = entities.get();
    return items == 0 ? 0 : (double) conflicts.get() / items;
  }

  double latencyMillis(double percentile) {
    return latencyMicros.getValueAtPercentile(percentile) / 1000.0;
  }

  double maxLatencyMillis() {
    return latencyMicros.getMaxValue() / 1000.0;
  }

  Map<String, Long> errors() {
    Map<String, Long> sorted = new TreeMap<>();
    errors.forEach((kind, count) -> sorted.put(kind, count.get()));
    return sorted;
  }

  JsonObject toJson() {
    JsonObject errorJson = new JsonObject();
    errors().forEach(errorJson::put);
    return new JsonObject()
        .put("workload", workload)
        .put("target", target)
        .put("requests", requests.get())
        .put("entities", entities.get())
        .put("seconds", round(seconds()))
        .put("entitiesPerSecond", round(entitiesPerSecond()))
        .put("requestsPerSecond", round(requestsPerSecond()))
        .put("conflicts", conflicts.get())
        .put("conflictRate", round(conflictRate()))
        .put("rejected", rejected.get())
        .put("latencyMs", new JsonObject()
            .put("p50", latencyMillis(50))
            .put("p95", latencyMillis(95))
            .put("p99", latencyMillis(99))
            .put("max", maxLatencyMillis()))
        .put("errors", errorJson)
        .put("errorCount", errorCount())
        .mergeIn(extra);
  }

  static double round(double value) {
    return Math.round(value * 1000) / 1000.0;
  }
}
