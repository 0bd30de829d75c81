-- The operators' admin API (docs/operations.md, "Admin API").
--
-- devices.resync_requested_at: set by an admin who forces the device to resync (server time, ms).
-- While set, the device's pulls that continue from a position (a cursor, a numeric since, an
-- offset) are answered 410 resync_required; its next pull from the beginning clears it.
ALTER TABLE devices ADD COLUMN resync_requested_at BIGINT;

-- sync_logs.outcomes: what a push's conflicts and rejections were, per entity type and code, as a
-- JSON array of {"outcome": "conflict" | "rejected", "entityType", "code" (null for conflicts),
-- "count"}; null when the push had none (and for pulls). Counted from the database, so every
-- gateway process on it reports the same numbers; purged with the sync logs.
ALTER TABLE sync_logs ADD COLUMN outcomes JSONB;
