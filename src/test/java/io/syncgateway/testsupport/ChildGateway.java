package io.syncgateway.testsupport;

import io.syncgateway.Main;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The gateway as operators run it ({@code Main run}) in a child JVM, configured by environment
 * variables, logging through the production logback.xml; with a {@link GatewayHarness} client.
 */
public final class ChildGateway implements AutoCloseable {
  public static final String READY_LINE = "sync-gateway is ready on ";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

  private final ChildJvm jvm;
  private final GatewayHarness client;
  private final int port;

  private ChildGateway(ChildJvm jvm, GatewayHarness client, int port) {
    this.jvm = jvm;
    this.client = client;
    this.port = port;
  }

  /**
   * Starts a gateway with {@code env} on top of test defaults (a free port, the harness secret, one
   * instance of each verticle, no conf/gateway.json) and waits until it serves.
   */
  public static ChildGateway start(String name, Map<String, String> env) {
    int port = GatewayHarness.freePort();
    Map<String, String> environment = new HashMap<>(Map.of(
        "SYNC_CONFIG", "/nonexistent/gateway.json",
        "SYNC_HTTP_PORT", String.valueOf(port),
        "SYNC_HTTP_HOST", "127.0.0.1",
        "SYNC_JWT_SECRET", GatewayHarness.SECRET,
        "SYNC_HTTP_INSTANCES", "1",
        "SYNC_DECODE_INSTANCES", "1",
        "SYNC_CONFLICT_INSTANCES", "1",
        "SYNC_PERSISTENCE_INSTANCES", "1"));
    environment.putAll(env);
    ChildJvm jvm = ChildJvm.start(name, List.of("-Dlogback.configurationFile=" + productionLogback()), environment,
        Main.class.getName(), "run");
    try {
      jvm.awaitLine(line -> line.contains(READY_LINE), START_TIMEOUT);
    } catch (AssertionError e) {
      jvm.close();
      throw e;
    }
    return new ChildGateway(jvm, GatewayHarness.connect(port), port);
  }

  /** src/main/resources/logback.xml as built; the test classpath would otherwise pick logback-test.xml. */
  private static String productionLogback() {
    try {
      return Path.of(Main.class.getResource("/logback.xml").toURI()).toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  public ChildJvm jvm() {
    return jvm;
  }

  /** Its HTTP port, for raw connections. */
  public int port() {
    return port;
  }

  public GatewayHarness client() {
    return client;
  }

  @Override
  public void close() {
    try {
      client.close();
    } finally {
      jvm.close();
    }
  }
}
