package io.syncgateway.persistence.db;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;

/**
 * Stands in for a gateway JVM that gets SIGKILLed: starts the embedded server on {@code args[0]}, commits one
 * row ({@code args[1]}) into {@code kill_test}, prints {@code READY <port>} and waits to be killed.
 */
public final class KillableGatewayMain {

  public static void main(String[] args) throws Exception {
    EmbeddedPostgresServer server = EmbeddedPostgresServer.start(Path.of(args[0]));
    PgUrl url = server.url();
    try (Connection connection = DriverManager.getConnection(url.jdbcUrl(), url.user(), url.password());
        Statement ddl = connection.createStatement();
        PreparedStatement insert = connection.prepareStatement("INSERT INTO kill_test (note) VALUES (?)")) {
      ddl.execute("CREATE TABLE IF NOT EXISTS kill_test (note TEXT NOT NULL)");
      insert.setString(1, args[1]);
      insert.executeUpdate();
    }
    System.out.println("READY " + url.port());
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
