package io.syncgateway.persistence.db;

import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PgUrlTest {

  @Test
  void parsesAllPartsOfAPostgresqlUrl() {
    PgUrl url = PgUrl.parse("postgresql://gateway:s3cret@db.example.com:6543/sync");

    assertThat(url).isEqualTo(new PgUrl("db.example.com", 6543, "sync", "gateway", "s3cret", null));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "postgres://gateway:s3cret@db.example.com:6543/sync",
      "jdbc:postgresql://gateway:s3cret@db.example.com:6543/sync",
      "jdbc:postgresql://db.example.com:6543/sync?user=gateway&password=s3cret",
      "PostgreSQL://gateway:s3cret@db.example.com:6543/sync"})
  void acceptsTheOtherSchemesAndJdbcStyleCredentials(String text) {
    assertThat(PgUrl.parse(text)).isEqualTo(PgUrl.of("db.example.com", 6543, "sync", "gateway", "s3cret"));
  }

  @Test
  void defaultsThePortTo5432() {
    assertThat(PgUrl.parse("postgresql://gateway@localhost/sync").port()).isEqualTo(5432);
  }

  @Test
  void passwordIsOptional() {
    assertThat(PgUrl.parse("postgresql://gateway@localhost/sync").password()).isNull();
  }

  @Test
  void percentDecodesUserPasswordAndDatabase() {
    PgUrl url = PgUrl.parse("postgresql://sync%40app:p%3Aa%2Fs%25s+w%C3%B6rd@localhost/my%20db");

    assertThat(url.user()).isEqualTo("sync@app");
    assertThat(url.password()).isEqualTo("p:a/s%s+wörd");
    assertThat(url.database()).isEqualTo("my db");
  }

  @Test
  void parsesBracketedIpv6Hosts() {
    PgUrl url = PgUrl.parse("postgresql://gateway@[::1]:5433/sync");

    assertThat(url.host()).isEqualTo("::1");
    assertThat(url.port()).isEqualTo(5433);
    assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://[::1]:5433/sync");
  }

  @Test
  void mapsSslmodeAndIgnoresOtherQueryParameters() {
    PgUrl url = PgUrl.parse("postgresql://gateway@localhost/sync?connect_timeout=5&sslmode=verify-full");

    assertThat(url.sslMode()).isEqualTo("verify-full");
    assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://localhost:5432/sync?sslmode=verify-full");
    assertThat(url.connectOptions().getSslMode()).isEqualTo(SslMode.VERIFY_FULL);
  }

  @Test
  void jdbcUrlCarriesNoCredentials() {
    PgUrl url = PgUrl.parse("postgresql://gateway:s3cret@localhost:5432/sync");

    assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://localhost:5432/sync");
  }

  @Test
  void connectOptionsCarryEveryPart() {
    PgConnectOptions options = PgUrl.parse("postgresql://gateway:s3cret@db.example.com:6543/sync").connectOptions();

    assertThat(options.getHost()).isEqualTo("db.example.com");
    assertThat(options.getPort()).isEqualTo(6543);
    assertThat(options.getDatabase()).isEqualTo("sync");
    assertThat(options.getUser()).isEqualTo("gateway");
    assertThat(options.getPassword()).isEqualTo("s3cret");
  }

  @Test
  void withDatabaseChangesOnlyTheDatabase() {
    PgUrl url = PgUrl.parse("postgresql://gateway:s3cret@localhost:6543/postgres?sslmode=disable");

    assertThat(url.withDatabase("tenant_a"))
        .isEqualTo(new PgUrl("localhost", 6543, "tenant_a", "gateway", "s3cret", "disable"));
  }

  @Test
  void redactedAndToStringHideThePassword() {
    PgUrl url = PgUrl.of("localhost", 5432, "sync", "gateway", "s3cret");

    assertThat(url.redacted()).isEqualTo("postgresql://gateway:***@localhost:5432/sync");
    assertThat(url.toString()).doesNotContain("s3cret");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "mysql://gateway:s3cret@localhost/sync",
      "postgresql://gateway:s3cret@localhost",
      "postgresql://gateway:s3cret@localhost/",
      "postgresql://gateway:s3cret@localhost:abc/sync",
      "postgresql://gateway:s3cret@localhost:70000/sync",
      "postgresql://gateway:s3cret@/sync",
      "postgresql://:s3cret@localhost/sync",
      "postgresql://gateway:s3cret%zz@localhost/sync",
      "postgresql://gateway:s3cret@::1/sync",
      "postgresql://gateway:s3cret@localhost/sync?sslmode=sometimes"})
  void rejectsBadUrlsWithoutEchoingThePassword(String text) {
    assertThatThrownBy(() -> PgUrl.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Invalid PostgreSQL URL: ")
        .message().doesNotContain("s3cret");
  }

  @Test
  void rejectsNull() {
    assertThatThrownBy(() -> PgUrl.parse(null)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void ofValidatesItsArguments() {
    assertThatThrownBy(() -> PgUrl.of("localhost", 0, "sync", "gateway", null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("port");
  }
}
