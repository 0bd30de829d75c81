package io.syncgateway.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.syncgateway.testsupport.GatewayHarness;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;

/** One scrape of {@code /metrics}, read by full series name (name and labels as Prometheus prints them). */
record Scrape(String text) {

  static Scrape of(GatewayHarness gateway) {
    HttpResponse<Buffer> response = gateway.get(null, "/metrics");
    assertThat(response.statusCode()).isEqualTo(200);
    return new Scrape(response.bodyAsString());
  }

  /** The value of the series, or null when it is absent. */
  Double value(String series) {
    for (String line : text.split("\n")) {
      if (line.startsWith(series + " ")) {
        return Double.parseDouble(line.substring(series.length() + 1).trim());
      }
    }
    return null;
  }

  /** The value of the series, 0 when it is absent (a counter not yet created). */
  double valueOrZero(String series) {
    Double value = value(series);
    return value == null ? 0 : value;
  }

  boolean hasSeriesStartingWith(String prefix) {
    return text.lines().anyMatch(line -> line.startsWith(prefix));
  }
}
