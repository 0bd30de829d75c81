package io.syncgateway.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.syncgateway.config.GatewayConfig;
import io.syncgateway.config.Setting;
import io.syncgateway.persistence.db.DatabaseSchema;
import io.syncgateway.persistence.db.PgUrl;
import io.syncgateway.testsupport.GatewayHarness;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** deploy/: the systemd unit and the Kubernetes manifest use real settings, real routes and enough stop time. */
@DisplayName("Deployment files")
class DeploymentFilesTest {
  private static final Path UNIT = Path.of("deploy/systemd/sync-gateway.service");
  private static final Path ENV_FILE = Path.of("deploy/systemd/sync-gateway.env");
  private static final Path MANIFEST = Path.of("deploy/kubernetes/sync-gateway.yaml");
  /** Read by logging and Main, not Setting (docs/operations.md, "Read by logging and start-up only"). */
  private static final Set<String> PROCESS_VARIABLES = Set.of("SYNC_CONFIG", "SYNC_LOG_FORMAT", "SYNC_LOG_LEVEL");
  /** Time to close Vert.x and stop PostgreSQL after the drain, with room to spare on a slow node. */
  private static final long STOP_MARGIN_SECONDS = 5;
  private static final String SECRET = "secretKeyRef";

  @RegisterExtension
  static final GatewayHarness gateway = GatewayHarness.perClass("deploy_files");

  @Test
  @DisplayName("the systemd unit reads its environment file, restarts on failure, stops with SIGTERM to the JVM "
      + "and counts exit 143 as a clean stop")
  void systemdUnitDirectives() throws IOException {
    Map<String, String> unit = directives(UNIT);

    assertThat(unit).containsEntry("EnvironmentFile", "/etc/sync-gateway/sync-gateway.env")
        .containsEntry("Restart", "on-failure")
        .containsEntry("KillSignal", "SIGTERM")
        .containsEntry("KillMode", "mixed")
        .containsEntry("SuccessExitStatus", "143");
    assertThat(unit.get("ExecStart")).endsWith("-jar /opt/sync-gateway/sync-gateway.jar run");
  }

  @Test
  @DisplayName("the systemd environment file sets only real settings, with values the gateway accepts")
  void systemdEnvironmentFile() throws IOException {
    Map<String, String> env = environmentFile();

    assertThat(env.keySet()).allSatisfy(DeploymentFilesTest::assertKnownVariable);
    assertAcceptedValues(env);
  }

  @Test
  @DisplayName("TimeoutStopSec covers the drain time of the environment file plus stopping the database")
  void systemdStopTimeout() throws IOException {
    long timeoutSeconds = Long.parseLong(directives(UNIT).get("TimeoutStopSec"));

    assertThat(timeoutSeconds).isGreaterThanOrEqualTo(drainSeconds(environmentFile()) + STOP_MARGIN_SECONDS);
  }

  @Test
  @DisplayName("the Kubernetes containers set only real settings and take SYNC_JWT_SECRET and SYNC_PG_URL "
      + "from a Secret")
  void kubernetesEnvironment() {
    YamlLines manifest = YamlLines.read(MANIFEST);
    Map<String, String> serving = environment(manifest.block("containers").block("env"));
    Map<String, String> migrating = environment(manifest.block("initContainers").block("env"));

    Stream.concat(serving.keySet().stream(), migrating.keySet().stream())
        .forEach(DeploymentFilesTest::assertKnownVariable);
    assertThat(serving).containsEntry("SYNC_JWT_SECRET", SECRET).containsEntry("SYNC_PG_URL", SECRET)
        .containsEntry("SYNC_DB_MIGRATE", "false");
    assertThat(migrating).containsEntry("SYNC_PG_URL", SECRET);
    assertThat(manifest.block("initContainers").value("command")).hasValueSatisfying(command ->
        assertThat(command).contains("\"migrate\""));
    Map<String, String> literals = new LinkedHashMap<>(serving);
    literals.values().removeIf(SECRET::equals);
    assertAcceptedValues(literals);
  }

  @Test
  @DisplayName("the probes ask /health/live and /health/ready on the gateway's port, which the container and "
      + "the Service expose")
  void kubernetesProbes() {
    YamlLines manifest = YamlLines.read(MANIFEST);
    YamlLines container = manifest.block("containers");
    String port = environment(container.block("env")).getOrDefault(Setting.HTTP_PORT.env(),
        String.valueOf(Setting.HTTP_PORT.defaultValue()));

    assertThat(container.block("livenessProbe").value("path")).contains("/health/live");
    assertThat(container.block("livenessProbe").value("port")).contains(port);
    assertThat(container.block("readinessProbe").value("path")).contains("/health/ready");
    assertThat(container.block("readinessProbe").value("port")).contains(port);
    assertThat(container.block("ports").value("containerPort")).contains(port);
    assertThat(manifest.values("targetPort")).containsExactly(port);
  }

  @Test
  @DisplayName("the probe paths are the gateway's health routes and answer 200 on a healthy gateway")
  void probePathsAreRoutes() {
    YamlLines container = YamlLines.read(MANIFEST).block("containers");
    for (String probe : List.of("livenessProbe", "readinessProbe")) {
      String path = container.block(probe).value("path").orElseThrow();
      assertThat(gateway.get(null, path).statusCode()).as("GET %s", path).isEqualTo(200);
    }
  }

  @Test
  @DisplayName("terminationGracePeriodSeconds covers the preStop sleep, the drain time and stopping")
  void kubernetesGracePeriod() {
    YamlLines manifest = YamlLines.read(MANIFEST);
    YamlLines container = manifest.block("containers");
    long grace = Long.parseLong(manifest.value("terminationGracePeriodSeconds").orElseThrow());
    Matcher sleep = Pattern.compile("\"sleep\", \"(\\d+)\"")
        .matcher(container.block("preStop").value("command").orElse(""));
    long preStopSeconds = sleep.find() ? Long.parseLong(sleep.group(1)) : 0;

    assertThat(grace).isGreaterThanOrEqualTo(
        preStopSeconds + drainSeconds(environment(container.block("env"))) + STOP_MARGIN_SECONDS);
  }

  private static void assertKnownVariable(String name) {
    Set<String> settings = Arrays.stream(Setting.values()).map(Setting::env).collect(Collectors.toSet());
    assertThat(settings.contains(name) || PROCESS_VARIABLES.contains(name)).as("%s is a setting", name).isTrue();
  }

  /** Every value parses as its setting's type: the gateway would otherwise refuse to start. */
  private static void assertAcceptedValues(Map<String, String> env) {
    GatewayConfig config = GatewayConfig.load(null, env);
    for (Setting setting : Setting.values()) {
      if (!env.containsKey(setting.env())) {
        continue;
      }
      assertThatCode(() -> {
        if (setting.defaultValue() instanceof Number) {
          config.number(setting);
        } else if (setting.defaultValue() instanceof Boolean) {
          config.flag(setting);
        } else if (setting == Setting.PG_URL) {
          PgUrl.parse(config.string(setting));
        } else if (setting == Setting.DB_SCHEMA) {
          new DatabaseSchema(config.string(setting));
        }
      }).as("value of %s", setting.env()).doesNotThrowAnyException();
    }
  }

  private static long drainSeconds(Map<String, String> env) {
    long drainMs = GatewayConfig.load(null, env).number(Setting.SHUTDOWN_GRACE_MS);
    return (drainMs + 999) / 1000;
  }

  /** {@code Key=Value} lines of a unit file (the last one wins, as for systemd's single-valued keys). */
  private static Map<String, String> directives(Path file) throws IOException {
    Map<String, String> directives = new LinkedHashMap<>();
    for (String line : Files.readAllLines(file)) {
      int eq = line.indexOf('=');
      if (!line.startsWith("#") && !line.startsWith("[") && eq > 0) {
        directives.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
      }
    }
    return directives;
  }

  private static Map<String, String> environmentFile() throws IOException {
    return directives(ENV_FILE);
  }

  /** Variable name to its literal value, or to "secretKeyRef" when it comes from a Secret. */
  private static Map<String, String> environment(YamlLines env) {
    int itemIndent = env.lines().stream().mapToInt(YamlLines.Line::indent).min().orElse(0);
    Map<String, String> variables = new LinkedHashMap<>();
    String current = null;
    for (YamlLines.Line line : env.lines()) {
      if (line.indent() == itemIndent && line.key().equals("name")) {
        current = line.value();
        variables.put(current, null);
      } else if (current != null && line.indent() == itemIndent && line.key().equals("value")) {
        variables.put(current, line.value());
      } else if (current != null && line.key().equals(SECRET)) {
        variables.put(current, SECRET);
      }
    }
    return variables;
  }
}
