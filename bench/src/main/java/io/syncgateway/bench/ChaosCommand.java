package io.syncgateway.bench;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * {@code chaos}: a gateway under hostile load and database faults. Starts a gateway child JVM
 * (-Xmx256m) on its own embedded PostgreSQL, drives quiet organizations at a steady rate while it
 * injects, one after another, an idle-connection flood, slow clients, maximum-size bodies in
 * parallel, a flooding organization, a database stall and a kill of the postmaster; reports requests
 * by status per fault window, the quiet pushes' latency, recovery times, health answers, OutOfMemory
 * errors and acknowledged writes lost. See docs/operations.md, "Chaos run".
 */
public final class ChaosCommand {
  private ChaosCommand() {}

  /** "--name=default" for every option, for the help text. */
  public static List<String> optionDefaults() {
    return ChaosOptions.DEFAULTS.entrySet().stream()
        .map(option -> "--" + option.getKey() + "=" + option.getValue()).toList();
  }

  /** Runs the chaos scenario, writes the JSON to --out and prints the tables; returns the JSON. */
  public static JsonObject run(Map<String, String> arguments, PrintStream out) {
    ChaosOptions options = ChaosOptions.parse(arguments);
    String startedAt = Instant.now().toString();
    JsonObject results;
    try (ChaosRun run = new ChaosRun(options, out)) {
      results = run.execute();
    }
    results = new JsonObject().put("startedAt", startedAt).put("finishedAt", Instant.now().toString())
        .mergeIn(results);
    try {
      Files.writeString(options.out(), results.encodePrettily());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + options.out(), e);
    }
    ChaosReport.print(results, out);
    out.println("\nJSON results: " + options.out().toAbsolutePath());
    return results;
  }
}
