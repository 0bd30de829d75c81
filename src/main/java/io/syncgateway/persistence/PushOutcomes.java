package io.syncgateway.persistence;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Comparator;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a push's conflicts and rejections were, per entity type and code, as the {@code outcomes}
 * column of its sync-log row keeps them: {@code [{"outcome": "conflict" | "rejected", "entityType",
 * "code" (null for a conflict), "count"}]}. Recorded in the database, not in one process's memory,
 * so the admin API's statistics are the same whichever gateway process answers.
 */
public final class PushOutcomes {
  public static final String CONFLICT = "conflict";
  public static final String REJECTED = "rejected";

  private PushOutcomes() {}

  /** The counts of a push response (PROTOCOL §3), or null when it has neither conflicts nor rejections. */
  public static JsonArray of(JsonObject pushResponse) {
    Map<Key, Integer> counts = new TreeMap<>();
    count(pushResponse.getJsonArray("conflicts"), CONFLICT, counts);
    count(pushResponse.getJsonArray("rejected"), REJECTED, counts);
    if (counts.isEmpty()) {
      return null;
    }
    JsonArray outcomes = new JsonArray();
    counts.forEach((key, count) -> outcomes.add(new JsonObject().put("outcome", key.outcome())
        .put("entityType", key.entityType()).put("code", key.code()).put("count", count)));
    return outcomes;
  }

  private static void count(JsonArray items, String outcome, Map<Key, Integer> counts) {
    if (items == null) {
      return;
    }
    for (Object item : items) {
      JsonObject json = (JsonObject) item;
      String code = CONFLICT.equals(outcome) ? null : json.getString("code");
      counts.merge(new Key(outcome, json.getString("entityType"), code), 1, Integer::sum);
    }
  }

  /** Sorted, so a push's counts are always written in the same order; null sorts first. */
  private record Key(String outcome, String entityType, String code) implements Comparable<Key> {
    private static final Comparator<Key> ORDER = Comparator.comparing(Key::outcome)
        .thenComparing(Key::entityType, Comparator.nullsFirst(Comparator.naturalOrder()))
        .thenComparing(Key::code, Comparator.nullsFirst(Comparator.naturalOrder()));

    @Override
    public int compareTo(Key other) {
      return ORDER.compare(this, other);
    }
  }
}
