package io.syncgateway.bus;

import java.util.List;

/**
 * Every event-bus address of the gateway and the message it carries. A push flows one way,
 * {@value #PUSH_DECODE} → {@value #PUSH_DECIDE} → {@value #PUSH_COMMIT}, each stage sending the next
 * and relaying its reply back: no stage calls one it was called from, and no lock or transaction is
 * held across a hop. Message records travel by reference inside the JVM and as JSON across it (see
 * {@link BusCodecs}). Failures travel as {@code message.fail(httpStatus, "code: detail")} (see
 * {@link BusErrors}). docs/architecture.md lists the same contracts; a test holds the two together.
 */
public final class Addresses {
  private Addresses() {}

  /**
   * Decode worker. Request: {@link PushRequest}. Undoes the content coding, parses strictly, checks
   * the envelope and every item, then sends {@link PreparedPush} to {@link #PUSH_DECIDE}. Reply:
   * {@link PushResult}. Fails bad_encoding, payload_too_large, invalid_request,
   * unknown_entity_type, too_many_items, and whatever the later stages fail with.
   */
  public static final String PUSH_DECODE = "sync.push.decode";

  /**
   * Conflict detection. Request: {@link PreparedPush}. Reads the stored states the batch names (no
   * lock), decides every item, then sends {@link DecidedPush} to {@link #PUSH_COMMIT}; when that
   * fails {@code stale} (another push changed a named entity meanwhile) it reads and decides again.
   * Reply: {@link PushResult}. Fails device_owned_by_other_user, internal (a failed decision),
   * overloaded, unavailable.
   */
  public static final String PUSH_DECIDE = "sync.push.decide";

  /**
   * Persistence. Request: {@link DecidedPush}. Writes every state conditionally on the version the
   * decision saw, records the batchId, commits. Reply: {@link PushResult}. Fails stale (only to
   * {@link #PUSH_DECIDE}), overloaded, unavailable (its detail says whether the outcome is unknown).
   */
  public static final String PUSH_COMMIT = "sync.push.commit";

  /**
   * Persistence. Request: {@link PullRequest}. Reply: a {@code Buffer}, the pull response of the
   * wire contract already encoded as JSON (the edge sends it as the body without parsing it), with
   * the headers {@link #PULL_ITEMS_HEADER} and {@link #PULL_HAS_MORE_HEADER} for logs. Fails
   * invalid_cursor, resync_required, device_owned_by_other_user, overloaded, unavailable.
   */
  public static final String PULL_PAGE = "sync.pull.page";

  /** Reply header of {@link #PULL_PAGE}: how many entities and tombstones the page holds, in decimal. */
  public static final String PULL_ITEMS_HEADER = "items";

  /** Reply header of {@link #PULL_PAGE}: the page's {@code hasMore}, "true" or "false". */
  public static final String PULL_HAS_MORE_HEADER = "hasMore";

  /** Persistence. Request: JSON {@code {principal, id}}. Reply: JSON, the task. Fails not_found. */
  public static final String TASK_GET = "sync.task.get";

  /** Persistence. Request: JSON {@code {principal, id}}. Reply: JSON {@code {"comments": [...]}}. */
  public static final String TASK_COMMENTS = "sync.task.comments";

  /**
   * Persistence, admin API. Request: {@link DeviceListQuery}. Reply: JSON {@code {"devices": [...],
   * "retentionMs", "resyncWarningMs", "now"}}, the devices of the principal's organization (see
   * docs/operations.md, "Admin API"). Fails overloaded, unavailable.
   */
  public static final String ADMIN_DEVICES = "sync.admin.devices";

  /**
   * Persistence, admin API. Request: {@link ResyncOrder}. Reply: JSON {@code {deviceId,
   * resyncRequestedAt}}. Fails not_found (no such device in the principal's organization),
   * overloaded, unavailable.
   */
  public static final String ADMIN_RESYNC = "sync.admin.resync";

  /**
   * Persistence, admin API. Request: {@link SyncLogQuery}. Reply: JSON {@code {"entries": [...]}},
   * newest first. Fails overloaded, unavailable.
   */
  public static final String ADMIN_LOG = "sync.admin.log";

  /**
   * Persistence, admin API. Request: {@link OutcomeStatsQuery}. Reply: JSON {@code {since, until,
   * conflicts: [...], rejections: [...]}}. Fails overloaded, unavailable.
   */
  public static final String ADMIN_STATS = "sync.admin.stats";

  /**
   * Persistence, for readiness. Request: JSON {@code {}}. Reply: JSON {@code {"database": "UP" |
   * "DOWN", "breaker": "CLOSED" | "HALF_OPEN" | "OPEN", "error"?}}; never fails for a database failure.
   */
  public static final String DB_PING = "sync.db.ping";

  /**
   * Every HTTP verticle instance (published, not sent). Message: JSON, a
   * {@code io.syncgateway.live.ChangeNotice} {@code {org, types, device, at}} that the process's one
   * listening connection received from PostgreSQL, or {@code {"reconnected": true}} after that
   * connection was re-established (a change may have been missed: every stream is poked). No reply.
   */
  public static final String LIVE_CHANGES = "sync.live.changes";

  /**
   * Published by persistence after each commit that wrote something, for services outside the JVM
   * (the TCP bridge lets a service token of the organization register it): {@code sync.changes.<org>}.
   * Message: JSON {@code {org, device, at, changes: [{type, id, operation, position: {xid, seq}}]}},
   * no entity fields. No reply.
   */
  public static final String CHANGES_PREFIX = "sync.changes.";

  /**
   * The same stream with each change's entity as a pull returns it (a tombstone for a delete):
   * {@code sync.changes-full.<org>}, for service tokens with the scope {@code changes:bodies}.
   * Message: JSON {@code {org, device, at, changes: [{type, id, operation, position, entity}]}}. No
   * reply. (A separate prefix, not {@code sync.changes.full.}, which an organization could be named.)
   */
  public static final String CHANGES_WITH_BODIES_PREFIX = "sync.changes-full.";

  /**
   * Consumed by an external validator of the organization, through the bridge:
   * {@code sync.hooks.validate.<org>}. Request: JSON {@code {org, deviceId, batchId, items: [{index,
   * type, id, operation, fields}]}}; reply: JSON {@code {"rejected": [{index, message}]}}. Sent by
   * conflict detection before it reads, with a strict deadline; no answer accepts every item.
   */
  public static final String VALIDATE_HOOK_PREFIX = "sync.hooks.validate.";

  public static String changesOf(String org) {
    return CHANGES_PREFIX + org;
  }

  public static String changesWithBodiesOf(String org) {
    return CHANGES_WITH_BODIES_PREFIX + org;
  }

  public static String validationHookOf(String org) {
    return VALIDATE_HOOK_PREFIX + org;
  }

  /**
   * Every address a verticle of the gateway consumes: readiness probes each one (see
   * {@link Probe}) to show its verticle is deployed and answering.
   */
  public static final List<String> CONSUMED = List.of(PUSH_DECODE, PUSH_DECIDE, PUSH_COMMIT, PULL_PAGE, TASK_GET,
      TASK_COMMENTS, ADMIN_DEVICES, ADMIN_RESYNC, ADMIN_LOG, ADMIN_STATS, DB_PING, LIVE_CHANGES);
}
