-- Sync gateway schema. Every key is scoped by organization: (org_id, id) is an entity's identity.
--
-- Change feed: each organization has a row in feed_counters. A push transaction locks that row first
-- (INSERT .. ON CONFLICT DO UPDATE), so pushes of one organization commit one after another and the
-- feed positions (feed_seq) they hand out are dense and in commit order. A reader that sees position N
-- therefore sees every position below N: following the feed by position never skips a change.
CREATE TABLE feed_counters (
    org_id        TEXT PRIMARY KEY,
    last_seq      BIGINT NOT NULL DEFAULT 0,
    vector_clock  JSONB  NOT NULL DEFAULT '{}'::jsonb,   -- merge of every applied clock of the organization
    updated_at    BIGINT NOT NULL DEFAULT 0
);

-- One mark per push transaction: which feed position was reached at which server time.
-- Maps a millisecond `since` onto a feed position.
CREATE TABLE feed_marks (
    org_id    TEXT   NOT NULL,
    last_seq  BIGINT NOT NULL,
    at_ms     BIGINT NOT NULL,
    PRIMARY KEY (org_id, last_seq)
);
CREATE INDEX feed_marks_by_time ON feed_marks (org_id, at_ms);

-- The three entity tables share one shape. A deleted entity keeps its row as a tombstone
-- (deleted_at set, data emptied) so that its clock still judges later writes, until retention purges it.
CREATE TABLE tasks (
    org_id               TEXT   NOT NULL,
    id                   TEXT   NOT NULL,
    data                 JSONB  NOT NULL DEFAULT '{}'::jsonb,  -- domain fields (title, status, ...)
    vector_clock         JSONB  NOT NULL,
    version              BIGINT NOT NULL,
    created_at           BIGINT,
    created_by           TEXT,
    updated_at           BIGINT NOT NULL,
    last_modified_by     TEXT   NOT NULL,
    last_modified_device TEXT   NOT NULL,
    deleted_at           BIGINT,
    deleted_by           TEXT,
    deleted_from_device  TEXT,
    checksum             TEXT   NOT NULL,
    feed_seq             BIGINT NOT NULL,
    PRIMARY KEY (org_id, id)
);
CREATE INDEX tasks_feed ON tasks (org_id, feed_seq);
CREATE INDEX tasks_tombstones ON tasks (deleted_at) WHERE deleted_at IS NOT NULL;

CREATE TABLE comments (LIKE tasks INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
ALTER TABLE comments ADD COLUMN task_id TEXT, ADD PRIMARY KEY (org_id, id);
CREATE INDEX comments_feed ON comments (org_id, feed_seq);
CREATE INDEX comments_by_task ON comments (org_id, task_id);
CREATE INDEX comments_tombstones ON comments (deleted_at) WHERE deleted_at IS NOT NULL;

CREATE TABLE attachments (LIKE tasks INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
ALTER TABLE attachments ADD COLUMN task_id TEXT, ADD PRIMARY KEY (org_id, id);
CREATE INDEX attachments_feed ON attachments (org_id, feed_seq);
CREATE INDEX attachments_by_task ON attachments (org_id, task_id);
CREATE INDEX attachments_tombstones ON attachments (deleted_at) WHERE deleted_at IS NOT NULL;

-- Tombstones are the deleted rows of the entity tables; this view shows them in one place.
CREATE VIEW tombstones AS
    SELECT 'task' AS entity_type, org_id, id AS entity_id, deleted_at, deleted_by, deleted_from_device, vector_clock, feed_seq FROM tasks WHERE deleted_at IS NOT NULL
    UNION ALL
    SELECT 'comment', org_id, id, deleted_at, deleted_by, deleted_from_device, vector_clock, feed_seq FROM comments WHERE deleted_at IS NOT NULL
    UNION ALL
    SELECT 'attachment', org_id, id, deleted_at, deleted_by, deleted_from_device, vector_clock, feed_seq FROM attachments WHERE deleted_at IS NOT NULL;

-- Device ids are global and belong to the (organization, user) that first used them.
CREATE TABLE devices (
    device_id      TEXT PRIMARY KEY,
    org_id         TEXT   NOT NULL,
    user_id        TEXT   NOT NULL,
    first_seen_at  BIGINT NOT NULL,
    last_seen_at   BIGINT NOT NULL,
    last_push_at   BIGINT,
    last_pull_at   BIGINT,
    vector_clock   JSONB
);
CREATE INDEX devices_by_org ON devices (org_id, user_id);

-- batchId idempotency: the response a committed batch got, written in the batch's own transaction.
CREATE TABLE push_batches (
    device_id   TEXT   NOT NULL,
    batch_id    TEXT   NOT NULL,
    org_id      TEXT   NOT NULL,
    response    JSONB  NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (device_id, batch_id)
);
CREATE INDEX push_batches_age ON push_batches (created_at);

-- One row per push or pull.
CREATE TABLE sync_logs (
    id            BIGSERIAL PRIMARY KEY,
    org_id        TEXT    NOT NULL,
    device_id     TEXT,
    user_id       TEXT    NOT NULL,
    sync_type     TEXT    NOT NULL CHECK (sync_type IN ('push', 'pull')),
    batch_id      TEXT,
    entities_pushed  INT  NOT NULL DEFAULT 0,
    entities_pulled  INT  NOT NULL DEFAULT 0,
    applied       INT     NOT NULL DEFAULT 0,
    acknowledged  INT     NOT NULL DEFAULT 0,
    superseded    INT     NOT NULL DEFAULT 0,
    conflicts     INT     NOT NULL DEFAULT 0,
    rejected      INT     NOT NULL DEFAULT 0,
    status        TEXT    NOT NULL,
    duration_ms   INT     NOT NULL,
    created_at    BIGINT  NOT NULL
);
CREATE INDEX sync_logs_by_org ON sync_logs (org_id, created_at);
