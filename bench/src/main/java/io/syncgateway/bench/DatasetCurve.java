package io.syncgateway.bench;

import io.syncgateway.persistence.CursorSigner;
import io.syncgateway.persistence.FeedCursor;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import io.vertx.core.Future;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.IntStream;

/**
 * Pull page time against the size of the feed: one organization's task table grows to each size by
 * SQL bulk load (generate_series, all at transaction position 0 as migrated rows are), then pages
 * of 100 are timed at the start, the middle and the end of the feed, over HTTP and directly. Keyset
 * pagination should make them cost the same at 10 k and at 1 M rows.
 */
final class DatasetCurve {
  private static final int PAGE = 100;
  private static final int REPEATS = 30;
  private static final String LOAD_TASKS = "INSERT INTO tasks (org_id, id, data, vector_clock, version, created_at, "
      + "created_by, updated_at, last_modified_by, last_modified_device, checksum, feed_seq) "
      + "SELECT $1::text, 'bulk-' || g, jsonb_build_object('title', 'Prepare quarterly report part ' || lpad(g::text, 9, '0'), "
      + "'description', repeat('Collect the figures and reconcile them. ', 8), 'status', 'todo', "
      + "'assignedTo', 'user-' || (g % 17), 'tags', jsonb_build_array('reporting', 'q1', 'team-' || (g % 7)), "
      + "'customFields', jsonb_build_object('priority', 'normal', 'estimateHours', g % 8), 'position', g), "
      + "jsonb_build_object('bulk-loader', g), 1, $4::bigint, 'bulk', $4::bigint, 'bulk', 'bulk-loader', "
      + "md5(g::text) || md5(g::text), g FROM generate_series($2::bigint, $3::bigint) g";

  /** Where in the feed pages are read: after feed position {@code after} (null: the first page). */
  private record Position(String name, Long after) {}

  private final BenchEnvironment env;

  DatasetCurve(BenchEnvironment env) {
    this.env = env;
  }

  JsonArray run() {
    // Pages in the middle of the feed start from cursors made here, signed like the gateway's own.
    CursorSigner signer = CursorSigner.load(env.direct().pool()).await();
    String org = env.org("bulk");
    JsonArray points = new JsonArray();
    long loaded = 0;
    for (int size : env.options.datasetSizes()) {
      long started = System.nanoTime();
      load(org, loaded + 1, size);
      loaded = Math.max(loaded, size);
      env.log.printf("Curve: pull page time at %,d entities (loaded in %.1f s)%n", loaded,
          (System.nanoTime() - started) / 1e9);
      JsonObject point = new JsonObject().put("curve", "dataset").put("x", loaded);
      for (SyncTarget<?> target : List.of(env.gateway(), env.direct())) {
        SimDevice reader = SimDevice.one(org, "reader-" + target.name() + loaded, env.tokens);
        JsonObject positions = new JsonObject();
        for (Position where : List.of(new Position("start", null), new Position("middle", loaded / 2),
            new Position("end", loaded - PAGE))) {
          Measurement pages = pages(target, reader, signer, "page@" + where.name() + " n=" + loaded, where.after());
          positions.put(where.name(), pages.toJson());
        }
        point.put(target.name(), positions);
      }
      points.add(point);
    }
    return points;
  }

  /** Grows the organization's feed to {@code upTo} positions, then refreshes planner statistics. */
  private void load(String org, long from, long upTo) {
    if (upTo < from) {
      return;
    }
    long now = System.currentTimeMillis();
    var pool = env.direct().pool();
    pool.preparedQuery(LOAD_TASKS).execute(Tuple.of(org, from, upTo, now)).await();
    pool.query("ANALYZE tasks").execute().await();
  }

  /** {@value #REPEATS} pages of {@value #PAGE} after {@code position} (null: the feed's first page). */
  private <B> Measurement pages(SyncTarget<B> target, SimDevice reader, CursorSigner signer, String name,
      Long position) {
    long now = System.currentTimeMillis();
    String cursor = position == null ? null
        : new FeedCursor(0, position, now, now).encode(signer, reader.principal().orgId());
    List<Supplier<Future<Outcome>>> requests = IntStream.range(0, REPEATS)
        .<Supplier<Future<Outcome>>>mapToObj(i ->
            () -> target.pull(reader, PAGE, cursor).map(page -> Outcome.of(page.entities())))
        .toList();
    return env.measure(name, target, List.of(LoadDevice.of(requests)));
  }
}
