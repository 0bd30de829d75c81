package io.syncgateway.startup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.syncgateway.Gateway;
import io.syncgateway.StartupProblems;
import io.syncgateway.config.GatewayConfig;
import io.syncgateway.config.Setting;
import io.syncgateway.persistence.db.PgUrl;
import io.syncgateway.testsupport.GatewayHarness;
import io.syncgateway.testsupport.TestDatabase;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("SYNC_PG_URL forms and SYNC_DB_SCHEMA")
class DatabaseUrlAndSchemaTest {

  @Test
  @DisplayName("a jdbc:postgresql:// URL with user and password as query parameters is accepted")
  void jdbcUrlAccepted() {
    PgUrl database = TestDatabase.freshDatabase("jdbc_url");
    String jdbc = database.jdbcUrl() + "?user=" + encode(database.user()) + "&password=" + encode(database.password());

    try (GatewayHarness gateway = GatewayHarness.start(database, Map.of(Setting.PG_URL, jdbc))) {
      SyncRoundTrip.pushThenPull(gateway);
    }
  }

  @Test
  @DisplayName("a URL without a user fails start-up with one line naming SYNC_PG_URL and how to give the user")
  void urlWithoutUser() {
    GatewayConfig config = GatewayConfig.load(null, Map.of())
        .with(Setting.PG_URL, "jdbc:postgresql://localhost:5432/sync");

    Throwable failure = catchThrowable(() -> Gateway.start(config));

    assertThat(StartupProblems.explain(failure, config)).startsWith("SYNC_PG_URL is not usable")
        .contains("missing user").contains("?user=").doesNotContain("\n");
  }

  @Test
  @DisplayName("a gateway on schema sync_alt creates its tables there, pushes and pulls, and leaves public alone")
  void otherSchema() {
    PgUrl database = TestDatabase.emptyDatabase("alt_schema");

    try (GatewayHarness gateway = GatewayHarness.start(database, Map.of(Setting.DB_SCHEMA, "sync_alt"))) {
      SyncRoundTrip.pushThenPull(gateway);
    }

    assertThat(DatabaseSetupTest.tables(database, "sync_alt")).contains("tasks", "feed_log",
        "flyway_schema_history");
    assertThat(DatabaseSetupTest.tables(database, "public")).isEmpty();
  }

  @Test
  @DisplayName("a schema name that is not a lower-case identifier fails start-up with one line naming SYNC_DB_SCHEMA")
  void invalidSchemaName() {
    GatewayConfig config = GatewayConfig.load(null, Map.of()).with(Setting.DB_SCHEMA, "Sync-Alt")
        .with(Setting.PG_URL, "postgresql://sync@localhost:5432/sync");

    Throwable failure = catchThrowable(() -> Gateway.start(config));

    assertThat(StartupProblems.explain(failure, config)).startsWith("SYNC_DB_SCHEMA must be a lower-case identifier");
  }

  private static String encode(String value) {
    return URLEncoder.encode(value == null ? "" : value, StandardCharsets.UTF_8);
  }
}
