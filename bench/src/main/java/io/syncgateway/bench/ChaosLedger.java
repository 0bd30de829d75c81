package io.syncgateway.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Every write the gateway acknowledged during a chaos run, and what of it the database lost.
 *
 * <p>A write is one task item of a push answered 200 that the answer does not list among its
 * {@code conflicts} or {@code rejected}: it was applied, acknowledged as already there, or superseded
 * by a newer state. Each item carries a vector clock in which the writing device's counter is
 * {@code counter}; a write is lost when the audit finds its task missing or with a smaller counter for
 * that device (the stored state is older than what was acknowledged). Only the highest acknowledged
 * counter per task and device is kept.
 */
final class ChaosLedger {
  private record Write(String taskId, String deviceId) {}

  private final Map<String, Map<Write, Long>> acknowledged = new ConcurrentHashMap<>();
  private final Set<String> batches = ConcurrentHashMap.newKeySet();
  private final AtomicLong writes = new AtomicLong();

  /**
   * Records the items of a push answered 200.
   *
   * @param taskIds the task items the push carried, each with {@code deviceId: counter} in its clock
   * @param response the push's answer (its {@code conflicts} and {@code rejected} are not acknowledged)
   * @throws IllegalStateException if the push had no batchId: every acknowledged push must carry one
   */
  void acknowledge(String org, String deviceId, String batchId, long counter, List<String> taskIds,
      JsonObject response) {
    if (batchId == null || batchId.isEmpty()) {
      throw new IllegalStateException("An acknowledged push without a batchId cannot be accounted for");
    }
    batches.add(org + "/" + batchId);
    Set<String> refused = new HashSet<>();
    for (String list : new String[] {"conflicts", "rejected"}) {
      JsonArray items = response.getJsonArray(list, new JsonArray());
      items.forEach(item -> refused.add(((JsonObject) item).getString("entityId")));
    }
    Map<Write, Long> ofOrg = acknowledged.computeIfAbsent(org, o -> new ConcurrentHashMap<>());
    for (String taskId : taskIds) {
      if (!refused.contains(taskId)) {
        writes.incrementAndGet();
        ofOrg.merge(new Write(taskId, deviceId), counter, Math::max);
      }
    }
  }

  /** Acknowledged task writes (every item of every acknowledged push, replays included). */
  long writes() {
    return writes.get();
  }

  /** Distinct acknowledged batches. */
  int batches() {
    return batches.size();
  }

  Set<String> organizations() {
    return acknowledged.keySet();
  }

  /** Distinct (task, device) pairs acknowledged in an organization: what its audit checks. */
  int checks(String org) {
    return acknowledged.getOrDefault(org, Map.of()).size();
  }

  /**
   * The acknowledged writes of {@code org} that {@code stored} (task id → its vector clock, as pulled)
   * does not hold: task missing, or its clock's counter for the writing device below the acknowledged
   * one. Sorted, as "taskId@deviceId:counter".
   */
  List<String> lost(String org, Map<String, JsonObject> stored) {
    Map<String, String> lost = new TreeMap<>();
    acknowledged.getOrDefault(org, Map.of()).forEach((write, counter) -> {
      JsonObject clock = stored.get(write.taskId());
      Long found = clock == null ? null : clock.getLong(write.deviceId());
      if (found == null || found < counter) {
        lost.put(write.taskId() + "@" + write.deviceId(), write.taskId() + "@" + write.deviceId() + ":" + counter);
      }
    });
    return List.copyOf(lost.values());
  }
}
