package io.syncgateway.client.store;

import io.syncgateway.entity.EntityType;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A durable store in one SQLite file (sqlite-jdbc). Each record is kept as JSON next to the
 * columns it is looked up by; a transaction is a SQLite transaction, so a crash keeps all of a
 * change or none of it. Every call blocks: the client runs them on worker threads.
 */
public final class SqliteLocalStore implements LocalStore {
  private static final List<String> SCHEMA = List.of(
      "CREATE TABLE IF NOT EXISTS entities (type TEXT NOT NULL, id TEXT NOT NULL, status TEXT NOT NULL,"
          + " deleted INTEGER NOT NULL, json TEXT NOT NULL, PRIMARY KEY (type, id))",
      "CREATE TABLE IF NOT EXISTS queue (seq INTEGER PRIMARY KEY, type TEXT NOT NULL, entity_id TEXT NOT NULL,"
          + " state TEXT NOT NULL, priority INTEGER NOT NULL, created_at INTEGER NOT NULL, json TEXT NOT NULL)",
      "CREATE TABLE IF NOT EXISTS conflicts (type TEXT NOT NULL, id TEXT NOT NULL, json TEXT NOT NULL,"
          + " PRIMARY KEY (type, id))",
      "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");

  private final Connection connection;
  private int depth;

  private SqliteLocalStore(Connection connection) {
    this.connection = connection;
  }

  /** Opens (creating if needed) the store file. */
  public static SqliteLocalStore open(Path file) {
    try {
      Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
      try (Statement statement = connection.createStatement()) {
        statement.execute("PRAGMA journal_mode=WAL");
        statement.execute("PRAGMA synchronous=FULL");
        for (String ddl : SCHEMA) {
          statement.execute(ddl);
        }
      }
      return new SqliteLocalStore(connection);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot open local store " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized <T> T transaction(Supplier<T> work) {
    if (depth > 0) {
      return work.get();
    }
    depth++;
    try {
      connection.setAutoCommit(false);
      T result = work.get();
      connection.commit();
      return result;
    } catch (SQLException e) {
      rollback();
      throw new IllegalStateException("local store: " + e.getMessage(), e);
    } catch (RuntimeException | Error e) {
      rollback();
      throw e;
    } finally {
      depth--;
      try {
        connection.setAutoCommit(true);
      } catch (SQLException e) {
        // The connection is gone; the next call reports it.
      }
    }
  }

  private void rollback() {
    try {
      connection.rollback();
    } catch (SQLException e) {
      // Nothing more to undo.
    }
  }

  @Override
  public Optional<LocalEntity> entity(EntityType type, String id) {
    return one("SELECT json FROM entities WHERE type = ? AND id = ?", LocalEntity::fromJson, type.singular(), id);
  }

  @Override
  public List<LocalEntity> entities(EntityType type) {
    return list("SELECT json FROM entities WHERE type = ? ORDER BY id", LocalEntity::fromJson, type.singular());
  }

  @Override
  public void putEntity(LocalEntity entity) {
    update("INSERT OR REPLACE INTO entities (type, id, status, deleted, json) VALUES (?, ?, ?, ?, ?)",
        entity.type().singular(), entity.id(), entity.status().name(), entity.deleted() ? 1 : 0,
        entity.toJson().encode());
  }

  @Override
  public void removeEntity(EntityType type, String id) {
    update("DELETE FROM entities WHERE type = ? AND id = ?", type.singular(), id);
  }

  @Override
  public List<QueueItem> queueItems() {
    return list("SELECT json FROM queue ORDER BY seq", QueueItem::fromJson);
  }

  @Override
  public void putQueueItem(QueueItem item) {
    update("INSERT OR REPLACE INTO queue (seq, type, entity_id, state, priority, created_at, json)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?)", item.seq(), item.type().singular(), item.entityId(),
        item.state().name(), item.priority(), item.createdAt(), item.toJson().encode());
  }

  @Override
  public void removeQueueItem(long seq) {
    update("DELETE FROM queue WHERE seq = ?", seq);
  }

  @Override
  public List<Conflict> conflicts() {
    return list("SELECT json FROM conflicts ORDER BY type, id", Conflict::fromJson);
  }

  @Override
  public Optional<Conflict> conflict(EntityType type, String id) {
    return one("SELECT json FROM conflicts WHERE type = ? AND id = ?", Conflict::fromJson, type.singular(), id);
  }

  @Override
  public void putConflict(Conflict conflict) {
    update("INSERT OR REPLACE INTO conflicts (type, id, json) VALUES (?, ?, ?)", conflict.type().singular(),
        conflict.entityId(), conflict.toJson().encode());
  }

  @Override
  public void removeConflict(EntityType type, String id) {
    update("DELETE FROM conflicts WHERE type = ? AND id = ?", type.singular(), id);
  }

  @Override
  public Optional<String> meta(String key) {
    return query("SELECT value FROM meta WHERE key = ?", rows -> rows.next() ? Optional.of(rows.getString(1))
        : Optional.<String>empty(), key);
  }

  @Override
  public void putMeta(String key, String value) {
    update("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", key, value);
  }

  @Override
  public void removeMeta(String key) {
    update("DELETE FROM meta WHERE key = ?", key);
  }

  @Override
  public synchronized void close() {
    try {
      connection.close();
    } catch (SQLException e) {
      throw new IllegalStateException("closing local store: " + e.getMessage(), e);
    }
  }

  private <T> Optional<T> one(String sql, Function<JsonObject, T> reader, Object... parameters) {
    return query(sql, rows -> rows.next() ? Optional.of(reader.apply(new JsonObject(rows.getString(1))))
        : Optional.<T>empty(), parameters);
  }

  private <T> List<T> list(String sql, Function<JsonObject, T> reader, Object... parameters) {
    return query(sql, rows -> {
      List<T> all = new ArrayList<>();
      while (rows.next()) {
        all.add(reader.apply(new JsonObject(rows.getString(1))));
      }
      return all;
    }, parameters);
  }

  private interface RowsReader<T> {
    T read(ResultSet rows) throws SQLException;
  }

  private synchronized <T> T query(String sql, RowsReader<T> reader, Object... parameters) {
    try (PreparedStatement statement = prepare(sql, parameters); ResultSet rows = statement.executeQuery()) {
      return reader.read(rows);
    } catch (SQLException e) {
      throw new IllegalStateException("local store: " + e.getMessage(), e);
    }
  }

  private synchronized void update(String sql, Object... parameters) {
    try (PreparedStatement statement = prepare(sql, parameters)) {
      statement.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("local store: " + e.getMessage(), e);
    }
  }

  private PreparedStatement prepare(String sql, Object... parameters) throws SQLException {
    PreparedStatement statement = connection.prepareStatement(sql);
    for (int i = 0; i < parameters.length; i++) {
      statement.setObject(i + 1, parameters[i]);
    }
    return statement;
  }
}
