-- A change feed without an organization lock (docs/architecture.md, "The change feed").
--
-- Every written entity state carries the id of the transaction that wrote it (feed_xid, from
-- pg_current_xact_id()) and a position from one global sequence (feed_seq). Pushes of one
-- organization no longer serialize on a counter row: they commit in parallel, and readers only
-- return states of transactions below the oldest one still running, so a position below the horizon
-- never changes afterwards. Rows written before this migration keep their old feed_seq with
-- feed_xid 0, so they sort before every later write.
CREATE SEQUENCE feed_positions;
SELECT setval('feed_positions', GREATEST(1, (SELECT COALESCE(max(feed_seq), 0) FROM
    (SELECT feed_seq FROM tasks UNION ALL SELECT feed_seq FROM comments UNION ALL SELECT feed_seq FROM attachments) s)));

ALTER TABLE tasks ADD COLUMN feed_xid BIGINT NOT NULL DEFAULT 0;
ALTER TABLE comments ADD COLUMN feed_xid BIGINT NOT NULL DEFAULT 0;
ALTER TABLE attachments ADD COLUMN feed_xid BIGINT NOT NULL DEFAULT 0;
DROP INDEX tasks_feed;
DROP INDEX comments_feed;
DROP INDEX attachments_feed;
CREATE INDEX tasks_feed ON tasks (org_id, feed_xid, feed_seq);
CREATE INDEX comments_feed ON comments (org_id, feed_xid, feed_seq);
CREATE INDEX attachments_feed ON attachments (org_id, feed_xid, feed_seq);

-- Every position ever handed out, append-only: offset paging (the design's pullWithPagination)
-- counts these slots, which never move, rather than the entity rows, which move forward when
-- rewritten. A slot whose entity was written again since returns nothing. Superseded slots are
-- purged with the retention period.
CREATE TABLE feed_log (
    org_id       TEXT   NOT NULL,
    xid          BIGINT NOT NULL,
    seq          BIGINT NOT NULL,
    entity_type  TEXT   NOT NULL,
    written_at   BIGINT NOT NULL,
    PRIMARY KEY (org_id, xid, seq)
);
INSERT INTO feed_log (org_id, xid, seq, entity_type, written_at)
    SELECT org_id, 0, feed_seq, 'task', updated_at FROM tasks
    UNION ALL SELECT org_id, 0, feed_seq, 'comment', updated_at FROM comments
    UNION ALL SELECT org_id, 0, feed_seq, 'attachment', updated_at FROM attachments;
CREATE INDEX feed_log_age ON feed_log (written_at);

-- Which transaction horizon had been reached at which server time: maps a millisecond `since`
-- onto a feed position. Written by every gateway process about once a second, not by pushes.
CREATE TABLE feed_horizons (
    at_ms    BIGINT NOT NULL,
    horizon  BIGINT NOT NULL
);
CREATE INDEX feed_horizons_by_time ON feed_horizons (at_ms);

-- The per-organization counter row (the lock every push took) and the merge of every clock ever
-- pushed (which grew without bound) are gone.
DROP TABLE feed_marks;
DROP TABLE feed_counters;
