package io.syncgateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Configuration (PROTOCOL.md §8): defaults, overridden by conf/gateway.json, overridden by the environment. */
@DisplayName("GatewayConfig")
class GatewayConfigTest {

  @TempDir
  Path dir;

  private Path file(String json) throws IOException {
    Path file = dir.resolve("gateway.json");
    Files.writeString(file, json);
    return file;
  }

  @Test
  @DisplayName("uses the documented defaults when there is no file and no environment")
  void defaults() {
    GatewayConfig config = GatewayConfig.load(dir.resolve("missing.json"), Map.of());

    assertThat(config.integer(Setting.HTTP_PORT)).isEqualTo(8080);
    assertThat(config.string(Setting.HTTP_HOST)).isEqualTo("0.0.0.0");
    assertThat(config.string(Setting.DATA_DIR)).isEqualTo("./data");
    assertThat(config.string(Setting.PG_URL)).isNull();
    assertThat(config.string(Setting.JWT_SECRET)).isNull();
    assertThat(config.number(Setting.MAX_BODY_BYTES)).isEqualTo(4L * 1024 * 1024);
    assertThat(config.number(Setting.MAX_DECODED_BYTES)).isEqualTo(16L * 1024 * 1024);
    assertThat(config.integer(Setting.MAX_BATCH_ITEMS)).isEqualTo(500);
    assertThat(config.integer(Setting.MAX_JSON_DEPTH)).isEqualTo(32);
    assertThat(config.integer(Setting.PULL_DEFAULT_LIMIT)).isEqualTo(100);
    assertThat(config.integer(Setting.PULL_MAX_LIMIT)).isEqualTo(1000);
    assertThat(config.number(Setting.CLOCK_SKEW_MS)).isEqualTo(60_000L);
    assertThat(config.number(Setting.RETENTION_MS)).isEqualTo(2_592_000_000L);
    assertThat(config.number(Setting.BATCH_ID_RETENTION_MS)).isGreaterThanOrEqualTo(24L * 3600 * 1000);
  }

  @Test
  @DisplayName("a null file path means defaults")
  void nullFile() {
    assertThat(GatewayConfig.load(null, Map.of()).integer(Setting.HTTP_PORT)).isEqualTo(8080);
  }

  @Test
  @DisplayName("the file overrides the defaults and leaves the other settings at their defaults")
  void fileOverridesDefaults() throws IOException {
    GatewayConfig config = GatewayConfig.load(file("{\"http.port\": 9000, \"limits.batchItems\": 50}"), Map.of());

    assertThat(config.integer(Setting.HTTP_PORT)).isEqualTo(9000);
    assertThat(config.integer(Setting.MAX_BATCH_ITEMS)).isEqualTo(50);
    assertThat(config.integer(Setting.MAX_JSON_DEPTH)).isEqualTo(32);
  }

  @Test
  @DisplayName("the environment overrides the file")
  void envOverridesFile() throws IOException {
    GatewayConfig config = GatewayConfig.load(file("{\"http.port\": 9000, \"http.host\": \"10.0.0.1\"}"),
        Map.of("SYNC_HTTP_PORT", "9100"));

    assertThat(config.integer(Setting.HTTP_PORT)).isEqualTo(9100);
    assertThat(config.string(Setting.HTTP_HOST)).isEqualTo("10.0.0.1");
  }

  @Test
  @DisplayName("the environment overrides the defaults without a file")
  void envOverridesDefaults() {
    GatewayConfig config = GatewayConfig.load(null,
        Map.of("SYNC_PG_URL", "postgresql://u:p@db:5432/sync", "SYNC_MAX_BATCH_ITEMS", "250"));

    assertThat(config.string(Setting.PG_URL)).isEqualTo("postgresql://u:p@db:5432/sync");
    assertThat(config.integer(Setting.MAX_BATCH_ITEMS)).isEqualTo(250);
  }

  @Test
  @DisplayName("environment values are trimmed; blank ones are ignored")
  void envTrimmedAndBlankIgnored() throws IOException {
    GatewayConfig config = GatewayConfig.load(file("{\"http.port\": 9000}"),
        Map.of("SYNC_HTTP_PORT", "   ", "SYNC_MAX_JSON_DEPTH", " 16 "));

    assertThat(config.integer(Setting.HTTP_PORT)).isEqualTo(9000);
    assertThat(config.integer(Setting.MAX_JSON_DEPTH)).isEqualTo(16);
  }

  @Test
  @DisplayName("unrelated environment variables are ignored")
  void unrelatedEnv() {
    GatewayConfig config = GatewayConfig.load(null, Map.of("PATH", "/usr/bin", "HTTP_PORT", "1"));

    assertThat(config.toJson()).isEqualTo(GatewayConfig.defaults());
  }

  @Test
  @DisplayName("a whole number given as a string in the file is read as a number")
  void numericStringInFile() throws IOException {
    assertThat(GatewayConfig.load(file("{\"http.port\": \"9200\"}"), Map.of()).integer(Setting.HTTP_PORT))
        .isEqualTo(9200);
  }

  @Test
  @DisplayName("a bad number names the setting, its environment variable and the value")
  void badNumberMessage() {
    GatewayConfig config = GatewayConfig.load(null, Map.of("SYNC_MAX_BATCH_ITEMS", "lots"));

    assertThatThrownBy(() -> config.integer(Setting.MAX_BATCH_ITEMS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("limits.batchItems")
        .hasMessageContaining("SYNC_MAX_BATCH_ITEMS")
        .hasMessageContaining("'lots'")
        .hasMessageContaining("whole number");
  }

  @Test
  @DisplayName("a fractional number in the environment is refused")
  void fractionalEnv() {
    GatewayConfig config = GatewayConfig.load(null, Map.of("SYNC_HTTP_PORT", "80.5"));

    assertThatThrownBy(() -> config.number(Setting.HTTP_PORT)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("a file that is not JSON fails with a message naming the file")
  void malformedFile() throws IOException {
    Path file = file("{ not json");

    assertThatThrownBy(() -> GatewayConfig.load(file, Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(file.toString());
  }

  @Test
  @DisplayName("a file that is a JSON array fails with a message naming the file")
  void arrayFile() throws IOException {
    Path file = file("[1, 2]");

    assertThatThrownBy(() -> GatewayConfig.load(file, Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(file.toString());
  }

  @Test
  @DisplayName("the shipped conf/gateway.json agrees with the defaults")
  void shippedFileMatchesDefaults() {
    Path shipped = Path.of(GatewayConfig.DEFAULT_FILE);
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(shipped), "run from the project root");
    GatewayConfig fromFile = GatewayConfig.load(shipped, Map.of());
    GatewayConfig defaults = GatewayConfig.from(GatewayConfig.defaults());

    for (Setting setting : Setting.values()) {
      assertThat(fromFile.string(setting)).as(setting.key()).isEqualTo(defaults.string(setting));
    }
  }

  @Test
  @DisplayName("from(json) falls back to the default for a missing key")
  void fromFallsBackToDefault() {
    GatewayConfig config = GatewayConfig.from(new JsonObject().put("http.port", 1234));

    assertThat(config.integer(Setting.HTTP_PORT)).isEqualTo(1234);
    assertThat(config.integer(Setting.MAX_BATCH_ITEMS)).isEqualTo(500);
  }

  @Test
  @DisplayName("with() returns a changed copy and leaves the original as it was")
  void withIsACopy() {
    GatewayConfig original = GatewayConfig.from(GatewayConfig.defaults());
    GatewayConfig changed = original.with(Setting.HTTP_PORT, 0);

    assertThat(changed.integer(Setting.HTTP_PORT)).isZero();
    assertThat(original.integer(Setting.HTTP_PORT)).isEqualTo(8080);
  }

  @Test
  @DisplayName("toJson() is a copy that cannot change the configuration")
  void toJsonIsACopy() {
    GatewayConfig config = GatewayConfig.from(GatewayConfig.defaults());
    config.toJson().put("http.port", 1);

    assertThat(config.integer(Setting.HTTP_PORT)).isEqualTo(8080);
  }

  @Test
  @DisplayName("instances: a positive count is used, 0 means one per core")
  void instances() {
    GatewayConfig config = GatewayConfig.from(GatewayConfig.defaults()).with(Setting.HTTP_INSTANCES, 3);

    assertThat(config.instances(Setting.HTTP_INSTANCES)).isEqualTo(3);
    assertThat(config.instances(Setting.DECODE_INSTANCES)).isEqualTo(Runtime.getRuntime().availableProcessors());
  }

  @Test
  @DisplayName("every setting has a distinct key and a SYNC_ environment variable")
  void settingsAreDistinct() {
    assertThat(java.util.Arrays.stream(Setting.values()).map(Setting::key)).doesNotHaveDuplicates();
    assertThat(java.util.Arrays.stream(Setting.values()).map(Setting::env)).doesNotHaveDuplicates()
        .allMatch(env -> env.startsWith("SYNC_"));
  }
}
