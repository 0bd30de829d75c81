-- The last retention purge: when it ran and which deletion time it purged up to. A pull sequence
-- that a purge overtook (it started before the purge, and its cursor sits at a position older than
-- the purge's cutoff) may have lost tombstones beyond its cursor, so it is answered 410.
CREATE TABLE retention_runs (
    id         INT    PRIMARY KEY CHECK (id = 1),
    purged_at  BIGINT NOT NULL,
    cutoff     BIGINT NOT NULL
);
