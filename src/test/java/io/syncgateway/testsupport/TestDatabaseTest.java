package io.syncgateway.testsupport;

import io.syncgateway.persistence.db.PgUrl;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

class TestDatabaseTest {

  private static final String TEST_MIGRATIONS = "classpath:db/testmigration";

  private static PgUrl first;
  private static PgUrl second;

  @BeforeAll
  static void createTwoDatabases() {
    first = TestDatabase.freshDatabase("TestDatabaseTest", TEST_MIGRATIONS);
    second = TestDatabase.freshDatabase("TestDatabaseTest", TEST_MIGRATIONS);
  }

  @Test
  void freshDatabasesHaveDistinctNamesOnTheSharedServer() {
    assertThat(first.database()).startsWith("testdatabasetest_").isNotEqualTo(second.database());
    assertThat(first.withDatabase("any"))
        .isEqualTo(second.withDatabase("any"))
        .isEqualTo(TestDatabase.server().withDatabase("any"));
  }

  @Test
  void freshDatabasesAreMigrated() throws SQLException {
    for (PgUrl url : new PgUrl[] {first, second}) {
      assertThat(count(url, "SELECT count(*) FROM flyway_schema_history WHERE success")).isEqualTo(1);
      assertThat(count(url, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'test_items'"))
          .isEqualTo(1);
    }
  }

  @Test
  void freshDatabasesAreIsolatedFromEachOther() throws SQLException {
    execute(first, "INSERT INTO test_items (id, name) VALUES (1, 'only in first')");

    assertThat(count(first, "SELECT count(*) FROM test_items")).isEqualTo(1);
    assertThat(count(second, "SELECT count(*) FROM test_items")).isZero();
  }

  @Test
  void freshDatabaseWithoutLocationsUsesTheGatewayMigrations() throws SQLException {
    PgUrl url = TestDatabase.freshDatabase("TestDatabaseTest_default");

    assertThat(count(url, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'test_items'"))
        .as("test-only migrations stay out of the default location").isZero();
  }

  private static void execute(PgUrl url, String sql) throws SQLException {
    try (Connection connection = DriverManager.getConnection(url.jdbcUrl(), url.user(), url.password());
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  private static long count(PgUrl url, String sql) throws SQLException {
    try (Connection connection = DriverManager.getConnection(url.jdbcUrl(), url.user(), url.password());
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      rows.next();
      return rows.getLong(1);
    }
  }
}
