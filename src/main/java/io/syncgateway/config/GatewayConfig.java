package io.syncgateway.config;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The gateway's configuration, read once at start-up: defaults, then {@code conf/gateway.json},
 * then environment variables. Verticles receive it as their {@code config()} and read it through
 * {@link #from(JsonObject)}.
 */
public final class GatewayConfig {
  public static final String DEFAULT_FILE = "conf/gateway.json";

  private final JsonObject values;

  private GatewayConfig(JsonObject values) {
    this.values = values;
  }

  public static GatewayConfig from(JsonObject values) {
    return new GatewayConfig(values);
  }

  /** Defaults, overridden by the file (if it exists), overridden by the environment. */
  public static GatewayConfig load(Path file, Map<String, String> env) {
    JsonObject merged = defaults();
    if (file != null && Files.isRegularFile(file)) {
      try {
        merged.mergeIn(new JsonObject(Files.readString(file)));
      } catch (IOException | RuntimeException e) {
        throw new IllegalArgumentException("Cannot read configuration file " + file + ": " + e.getMessage(), e);
      }
    }
    for (Setting setting : Setting.values()) {
      String value = env.get(setting.env());
      if (value != null && !value.isBlank()) {
        merged.put(setting.key(), value.trim());
      }
    }
    return new GatewayConfig(merged);
  }

  public static JsonObject defaults() {
    JsonObject json = new JsonObject();
    for (Setting setting : Setting.values()) {
      json.put(setting.key(), setting.defaultValue());
    }
    return json;
  }

  public GatewayConfig with(Setting setting, Object value) {
    return new GatewayConfig(values.copy().put(setting.key(), value));
  }

  public JsonObject toJson() {
    return values.copy();
  }

  public String string(Setting setting) {
    Object value = values.getValue(setting.key(), setting.defaultValue());
    return value == null ? null : value.toString();
  }

  public long number(Setting setting) {
    Object value = values.getValue(setting.key(), setting.defaultValue());
    if (value instanceof Number number) {
      return number.longValue();
    }
    try {
      return Long.parseLong(String.valueOf(value).trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "Setting " + setting.key() + " (" + setting.env() + ") must be a whole number, got '" + value + "'");
    }
  }

  public int integer(Setting setting) {
    return Math.toIntExact(number(setting));
  }

  /** A true/false setting; anything else is a configuration error naming the setting. */
  public boolean flag(Setting setting) {
    String value = string(setting);
    if ("true".equalsIgnoreCase(value) || "false".equalsIgnoreCase(value)) {
      return Boolean.parseBoolean(value);
    }
    throw new IllegalArgumentException(
        "Setting " + setting.key() + " (" + setting.env() + ") must be true or false, got '" + value + "'");
  }

  /** Verticle instances: a configured positive count, or one per core. */
  public int instances(Setting setting) {
    int configured = integer(setting);
    return configured > 0 ? configured : Runtime.getRuntime().availableProcessors();
  }
}
