package io.syncgateway.bench;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The gateway under test as a child JVM ({@code Main run}) with its own heap limit, so that its CPU
 * time, heap and RSS are its own. Output goes to a log file; start-up waits for /health/ready.
 */
final class GatewayProcess implements AutoCloseable {
  private static final Duration STARTUP = Duration.ofSeconds(90);

  private final Process process;
  private final URI base;

  private GatewayProcess(Process process, URI base) {
    this.process = process;
    this.base = base;
  }

  /**
   * @param env gateway settings (SYNC_PG_URL, SYNC_JWT_SECRET, instance counts ...); a null value removes a
   *     variable this process has; the port is chosen here
   * @param jvmArgs extra JVM options, e.g. a JFR recording
   */
  static GatewayProcess start(String heap, List<String> jvmArgs, Map<String, String> env, Path log) {
    int port = freePort();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx" + heap);
    command.addAll(jvmArgs);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("io.syncgateway.Main");
    command.add("run");
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    env.forEach((name, value) -> {
      if (value == null) {
        builder.environment().remove(name); // e.g. SYNC_PG_URL, for a gateway on its embedded database
      } else {
        builder.environment().put(name, value);
      }
    });
    builder.environment().put("SYNC_HTTP_PORT", String.valueOf(port));
    builder.environment().put("SYNC_CONFIG", new File(log.getParent().toFile(), "no-config.json").getPath());
    try {
      GatewayProcess gateway = new GatewayProcess(builder.start(), URI.create("http://127.0.0.1:" + port));
      gateway.awaitReady(log);
      return gateway;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start the gateway JVM", e);
    }
  }

  URI base() {
    return base;
  }

  long pid() {
    return process.pid();
  }

  boolean alive() {
    return process.isAlive();
  }

  private void awaitReady(Path log) {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    long deadline = System.nanoTime() + STARTUP.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("The gateway exited with " + process.exitValue() + "; see " + log);
      }
      try {
        HttpResponse<Void> response = client.send(HttpRequest.newBuilder(base.resolve("/health/ready"))
            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      sleep(200);
    }
    close();
    throw new IllegalStateException("The gateway was not ready within " + STARTUP.toSeconds() + " s; see " + log);
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** SIGTERM (the gateway's shutdown hook closes it cleanly), then a kill after 30 s. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
