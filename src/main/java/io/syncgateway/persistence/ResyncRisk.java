package io.syncgateway.persistence;

/**
 * When a device is said to be heading for a resync: it has not pulled for half the retention period,
 * so if it stays away as long again its cursor falls behind the horizon (410). One rule for the
 * metric {@code sync_devices_heading_for_resync} and the admin API's {@code headingForResync}; the
 * SQL side is {@code SqlQueries.pullOverdue}.
 */
public final class ResyncRisk {
  private ResyncRisk() {}

  /** How long after its last pull a device heads for a resync. */
  public static long warningAfterMs(long retentionMs) {
    return retentionMs / 2;
  }
}
