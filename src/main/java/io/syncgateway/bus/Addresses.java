package io.syncgateway.bus;

import java.util.List;

/**
 * Every event-bus address of the gateway, with the JSON shape of its request and reply. Failures
 * travel as {@code message.fail(httpStatus, "code: detail")} (see {@link BusErrors}). A principal is
 * {@code {"userId", "orgId", "role"}}. docs/architecture.md describes the same contracts.
 */
public final class Addresses {
  private Addresses() {}

  /**
   * Decode worker. Request: the raw request body as a Buffer, header {@code encoding} = gzip |
   * deflate | identity. Reply: the body's top-level JSON object. Fails bad_encoding,
   * payload_too_large, invalid_request.
   */
  public static final String PAYLOAD_DECODE = "sync.payload.decode";

  /**
   * Conflict verticle, before the transaction. Request: {@code {principal, headerDeviceId, batch}}.
   * Reply: a prepared batch {@code {deviceId, batchId, deviceClock, verifyChecksums, priority, items,
   * rejected}} (see {@code batch.PreparedBatch}). Fails invalid_request, unknown_entity_type,
   * too_many_items.
   */
  public static final String BATCH_PREPARE = "sync.batch.prepare";

  /**
   * Conflict verticle, inside the push transaction. Request: {@code {principal, deviceId, now,
   * items, stored, children}} where stored/children are entity rows. Reply: {@code {outcomes,
   * writes}} (see {@code conflict.Decision}).
   */
  public static final String CONFLICT_DECIDE = "sync.conflict.decide";

  /**
   * Persistence. Request: {@code {principal, batch}} with a prepared batch. Reply:
   * {@code {response, applied, acknowledged, replayed}}: the push response of the wire contract and
   * what this call did (replayed: answered from the batchId record). Fails
   * device_owned_by_other_user, overloaded, unavailable.
   */
  public static final String PUSH_APPLY = "sync.push.apply";

  /**
   * Persistence. Request: {@code {principal, deviceId, cursor | sinceMillis, offset, limit, types}}.
   * Reply: a {@code Buffer}, the pull response of the wire contract already encoded as JSON (the
   * edge sends it as the body without parsing it), with the headers {@link #PULL_ITEMS_HEADER} and
   * {@link #PULL_HAS_MORE_HEADER} for logs. Fails invalid_cursor, resync_required,
   * device_owned_by_other_user, overloaded, unavailable.
   */
  public static final String PULL_PAGE = "sync.pull.page";

  /** Reply header of {@link #PULL_PAGE}: how many entities and tombstones the page holds, in decimal. */
  public static final String PULL_ITEMS_HEADER = "items";

  /** Reply header of {@link #PULL_PAGE}: the page's {@code hasMore}, "true" or "false". */
  public static final String PULL_HAS_MORE_HEADER = "hasMore";

  /** Persistence. Request: {@code {principal, id}}. Reply: the task. Fails not_found. */
  public static final String TASK_GET = "sync.task.get";

  /** Persistence. Request: {@code {principal, id}}. Reply: {@code {"comments": [...]}}. */
  public static final String TASK_COMMENTS = "sync.task.comments";

  /**
   * Persistence, for readiness. Request: {@code {}}. Reply: {@code {"database": "UP" | "DOWN",
   * "breaker": "CLOSED" | "HALF_OPEN" | "OPEN", "error"?}}; never fails for a database failure.
   */
  public static final String DB_PING = "sync.db.ping";

  /**
   * Every address a verticle of the gateway consumes: readiness probes each one (see
   * {@link Probe}) to show its verticle is deployed and answering.
   */
  public static final List<String> CONSUMED = List.of(PAYLOAD_DECODE, BATCH_PREPARE, CONFLICT_DECIDE, PUSH_APPLY,
      PULL_PAGE, TASK_GET, TASK_COMMENTS, DB_PING);
}
