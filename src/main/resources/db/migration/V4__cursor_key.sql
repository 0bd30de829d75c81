-- Secrets the gateway makes for itself and shares through the database.
--
-- 'cursor-hmac-sha256': the key that signs pull cursors, so that a cursor can be neither altered nor
-- used by another organization (PROTOCOL.md §4, v1.1). Every gateway process on this database must
-- use the same key, and the key must outlive restarts; so it lives here, not in each process's
-- memory or configuration. The first gateway that finds no key creates it (32 random bytes made in
-- Java, inserted with ON CONFLICT DO NOTHING so that processes starting together agree on one).
-- Deleting the row invalidates every cursor issued so far (400 invalid_cursor).
CREATE TABLE gateway_secrets (
    name        TEXT   PRIMARY KEY,
    value       BYTEA  NOT NULL,
    created_at  BIGINT NOT NULL
);
