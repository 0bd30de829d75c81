-- Test-only schema for TestDatabaseTest; the gateway's real migrations live in src/main/resources/db/migration.
CREATE TABLE test_items (
  id   BIGINT PRIMARY KEY,
  name TEXT NOT NULL
);
