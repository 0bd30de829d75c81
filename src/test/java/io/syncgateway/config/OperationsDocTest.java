package io.syncgateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The configuration reference stays complete")
class OperationsDocTest {

  @Test
  @DisplayName("docs/operations.md has a row for every setting: its file key, environment variable and default")
  void everySettingIsDocumented() throws IOException {
    List<String> lines = Files.readAllLines(Path.of("docs/operations.md"));
    for (Setting setting : Setting.values()) {
      String prefix = "| `" + setting.key() + "` | `" + setting.env() + "` | ";
      List<String> rows = lines.stream().filter(line -> line.startsWith(prefix)).toList();
      assertThat(rows).as("configuration table row of %s", setting).hasSize(1);
      if (setting.defaultValue() != null) {
        assertThat(rows.get(0).replace("_", "")).as("default of %s", setting)
            .contains("| `" + setting.defaultValue() + "`");
      }
    }
  }

  @Test
  @DisplayName("conf/gateway.json names only known settings, with their defaults")
  void shippedFileUsesKnownKeysAndDefaults() throws IOException {
    JsonObject file = new JsonObject(Files.readString(Path.of("conf/gateway.json")));
    Set<String> keys = Arrays.stream(Setting.values()).map(Setting::key).collect(Collectors.toSet());
    assertThat(keys).containsAll(file.fieldNames());
    JsonObject defaults = GatewayConfig.defaults();
    for (String key : file.fieldNames()) {
      assertThat(String.valueOf(file.getValue(key))).as(key).isEqualTo(String.valueOf(defaults.getValue(key)));
    }
  }
}
