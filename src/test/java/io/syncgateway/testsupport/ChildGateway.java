package io.syncgateway.testsupport;

import io.syncgateway.Main;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The gateway as operators run it ({@code Main run}) in a child JVM, configured by environment
 * variables, logging through the production logback.xml; with a {@link GatewayHarness} client.
 */
public final class ChildGateway implements AutoCloseable {
  public static final String READY_LINE = "sync-gateway is ready on ";
  /** What a node without the http role says instead, once its verticles are deployed. */
  public static final String RUNNING_LINE = "sync-gateway is running ";
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
    return start(name, env, List.of());
  }

  /** As {@link #start(String, Map)}, with extra JVM options (e.g. a heap size: later options win). */
  public static ChildGateway start(String name, Map<String, String> env, List<String> jvmOptions) {
    Map<String, String> environment = new HashMap<>(env);
    environment.putIfAbsent("SYNC_HTTP_PORT", String.valueOf(GatewayHarness.freePort()));
    int port = Integer.parseInt(environment.get("SYNC_HTTP_PORT"));
    ChildJvm jvm = launch(name, environment, jvmOptions);
    try {
      jvm.awaitLine(line -> line.contains(READY_LINE) || line.contains(RUNNING_LINE), START_TIMEOUT);
    } catch (AssertionError e) {
      jvm.close();
      throw e;
    }
    return new ChildGateway(jvm, GatewayHarness.connect(port), port);
  }

  /**
   * {@code Main run} in a child JVM with {@code env} on top of the test defaults, without waiting for
   * it to serve: for start-ups meant to fail. {@code env} should set SYNC_HTTP_PORT.
   */
  public static ChildJvm launch(String name, Map<String, String> env, List<String> jvmOptions) {
    Map<String, String> environment = new HashMap<>(Map.of(
        "SYNC_CONFIG", "/nonexistent/gateway.json",
        "SYNC_HTTP_HOST", "127.0.0.1",
        "SYNC_JWT_SECRET", GatewayHarness.SECRET,
        "SYNC_HTTP_INSTANCES", "1",
        "SYNC_DECODE_INSTANCES", "1",
        "SYNC_CONFLICT_INSTANCES", "1",
        "SYNC_PERSISTENCE_INSTANCES", "1"));
    environment.putAll(env);
    List<String> options = new ArrayList<>(jvmOptions);
    options.add("-Dlogback.configurationFile=" + productionLogback());
    return ChildJvm.start(name, options, environment, Main.class.getName(), "run");
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

  /** The HTTP port it listens on (127.0.0.1). */
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
