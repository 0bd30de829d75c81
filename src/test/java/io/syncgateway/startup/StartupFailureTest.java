package io.syncgateway.startup;

import static org.assertj.core.api.Assertions.assertThat;

import io.syncgateway.testsupport.ChildGateway;
import io.syncgateway.testsupport.ChildJvm;
import io.syncgateway.testsupport.GatewayHarness;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gateway as operators run it, failing to start: one line, nothing left running, a non-zero exit. */
@DisplayName("Start-up failures of Main run")
class StartupFailureTest {
  private static final Pattern DATABASE_PORT = Pattern.compile("Using PostgreSQL at postgresql://[^@]+@localhost:(\\d+)/");
  private static final Pattern STACK_FRAME = Pattern.compile("^\\s+at [\\w.$]+\\(.*");
  private static final Duration EXIT_WITHIN = Duration.ofSeconds(60);

  @TempDir
  Path dataDir;

  @Test
  @DisplayName("with the HTTP port taken: one line naming the port and SYNC_HTTP_PORT, the embedded PostgreSQL "
      + "stopped, exit status 1")
  void portTaken() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        ChildJvm child = ChildGateway.launch("gateway", Map.of("SYNC_DATA_DIR", dataDir.toString(),
            "SYNC_HTTP_PORT", String.valueOf(taken.getLocalPort())), List.of())) {
      int exitCode = child.awaitExit(EXIT_WITHIN);

      assertThat(exitCode).isEqualTo(1);
      String problem = theOnlyProblemLine(child);
      assertThat(problem).contains("port " + taken.getLocalPort()).contains("SYNC_HTTP_PORT");
      int databasePort = databasePort(child);
      assertThat(acceptsConnections(databasePort)).as("the embedded PostgreSQL on port %d still runs", databasePort)
          .isFalse();
      assertThat(dataDir.resolve("postgres/postmaster.pid")).doesNotExist();
    }
  }

  @Test
  @DisplayName("with an unreachable SYNC_PG_URL: one line naming SYNC_PG_URL, exit status 1")
  void databaseUnreachable() {
    int closedPort = GatewayHarness.freePort();
    try (ChildJvm child = ChildGateway.launch("gateway", Map.of(
        "SYNC_HTTP_PORT", String.valueOf(GatewayHarness.freePort()),
        "SYNC_PG_URL", "postgresql://sync:secret@127.0.0.1:" + closedPort + "/sync"), List.of())) {
      int exitCode = child.awaitExit(EXIT_WITHIN);

      assertThat(exitCode).isEqualTo(1);
      assertThat(theOnlyProblemLine(child)).contains("SYNC_PG_URL").contains("127.0.0.1:" + closedPort)
          .doesNotContain("secret");
    }
  }

  /** Standard output and error together: exactly one line says why, and no stack trace follows it. */
  private static String theOnlyProblemLine(ChildJvm child) {
    List<String> lines = new ArrayList<>(child.output());
    lines.addAll(child.errors());
    assertThat(lines).noneMatch(line -> STACK_FRAME.matcher(line).matches());
    List<String> problems = lines.stream()
        .filter(line -> line.contains("could not start") || line.contains(" ERROR ") || line.contains("Exception"))
        .toList();
    assertThat(problems).as("lines reporting a problem in %s", lines).hasSize(1);
    assertThat(child.errors()).as("standard error").containsExactly(problems.get(0));
    return problems.get(0);
  }

  private static int databasePort(ChildJvm child) {
    for (String line : child.output()) {
      Matcher matcher = DATABASE_PORT.matcher(line);
      if (matcher.find()) {
        return Integer.parseInt(matcher.group(1));
      }
    }
    throw new AssertionError("the gateway did not log its embedded database's port: " + child.output());
  }

  private static boolean acceptsConnections(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
