package com.example.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import io.syncgateway.testsupport.GatewayHarness;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The example app, run as its users would run it: its own JVM, only the client artifact on its class path. */
class TwoDevicesTest {
  @RegisterExtension
  static final GatewayHarness gateway = GatewayHarness.perClass("example_app");

  @Test
  void two_devices_converge_through_a_real_gateway() throws Exception {
    List<String> dependencies = List.of(Files.readString(Path.of("target", "app.classpath")).strip().split(File.pathSeparator));
    assertThat(dependencies).as("the app's runtime class path").noneMatch(TwoDevicesTest::isServerPart);
    String classPath = Path.of("target", "classes") + File.pathSeparator + String.join(File.pathSeparator, dependencies);
    Path output = Files.createTempFile("two-devices-", ".out");
    Process app = new ProcessBuilder(List.of(ProcessHandle.current().info().command().orElseThrow(), "-Xmx128m",
        "-cp", classPath, TwoDevices.class.getName(),
        "http://localhost:" + gateway.gateway().httpPort(), gateway.token("alice", "example-org")))
        .redirectErrorStream(true).redirectOutput(output.toFile()).start();

    assertThat(app.waitFor(60, TimeUnit.SECONDS)).as("app finished").isTrue();
    String printed = Files.readString(output);
    assertThat(app.exitValue()).as(printed).isZero();
    assertThat(printed).contains("phone sees 1 task(s) and 1 comment(s)").contains("laptop sees the task as done");
  }

  /** The server's jar (or, inside the reactor, its classes) and what only the server brings. */
  private static boolean isServerPart(String entry) {
    Path serverClasses = Path.of("..", "..", "target", "classes").toAbsolutePath().normalize();
    String name = Path.of(entry).getFileName().toString();
    return Path.of(entry).toAbsolutePath().normalize().equals(serverClasses) || name.startsWith("sync-gateway")
        || name.contains("postgres") || name.contains("flyway") || name.contains("logback");
  }
}
