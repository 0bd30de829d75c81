package io.syncgateway.config;

import ch.qos.logback.core.PropertyDefinerBase;
import java.util.Locale;

/**
 * The log format chosen by {@code SYNC_LOG_FORMAT}: {@code text} (the default) or {@code json} (one
 * JSON object per line). logback.xml names its appenders after the formats and asks this class
 * which one to use, so an unknown value falls back to text instead of silencing the logs.
 */
public final class LogFormat extends PropertyDefinerBase {
  public static final String ENV = "SYNC_LOG_FORMAT";
  public static final String TEXT = "text";
  public static final String JSON = "json";

  @Override
  public String getPropertyValue() {
    String configured = System.getenv(ENV);
    String format = configured == null ? TEXT : configured.trim().toLowerCase(Locale.ROOT);
    if (!format.equals(TEXT) && !format.equals(JSON)) {
      addError(ENV + "=" + configured + " is neither text nor json: logging as text");
      return TEXT;
    }
    return format;
  }

  /** Whether logs are JSON lines, so that nothing else may be printed to standard output. */
  public static boolean isJson() {
    return JSON.equals(new LogFormat().getPropertyValue());
  }
}
