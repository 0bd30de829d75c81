package io.syncgateway.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.syncgateway.persistence.db.PgUrl;
import io.syncgateway.testsupport.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnection;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class PostgresCpuTest {

  @Test
  @DisplayName("PostgreSQL's CPU grows with the work its backends do")
  void measuresTheServersCpu() {
    PgUrl database = TestDatabase.freshDatabase("pgcpu");
    Vertx vertx = Vertx.vertx();
    try {
      PostgresCpu postgres = PostgresCpu.locate(vertx, database.connectOptions());
      assumeTrue(postgres != null, "the test database does not run on this machine");

      PgConnection connection = PgConnection.connect(vertx, database.connectOptions()).await();
      connection.query("SELECT count(*) FROM generate_series(1, 3000000)").execute().await();
      connection.close().await();

      assertThat(postgres.cpuSeconds()).isPositive();
    } finally {
      vertx.close().await();
    }
  }
}
