package io.syncgateway.bench;

import io.syncgateway.Main;
import java.util.List;

/**
 * Entry point of {@code sync-bench.jar}: {@code bench [options]} measures the gateway against the
 * direct and floor targets ({@link BenchCommand}); {@code chaos [options]} runs it under hostile load
 * and database faults ({@link ChaosCommand}). Both start the gateway from this jar as a child JVM.
 */
public final class BenchMain {
  private BenchMain() {}

  public static void main(String[] args) {
    try {
      String command = args.length == 0 ? "help" : args[0];
      boolean help = List.of(args).contains("--help") || command.equals("help") || command.equals("-h");
      if (help) {
        System.out.println(usage());
      } else if (command.equals("bench")) {
        BenchCommand.run(Main.options(args), System.out);
      } else if (command.equals("chaos")) {
        ChaosCommand.run(Main.options(args), System.out);
      } else {
        System.err.println("Unknown command '" + command + "'\n" + usage());
        System.exit(2);
      }
      System.exit(0);
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      System.exit(2);
    }
  }

  private static String usage() {
    return String.join("\n",
        "usage: java -jar bench/target/sync-bench.jar bench [--devices 16] [--batches 20] [--batch-size 100] [--curves all] ...",
        "         starts a gateway (-Xmx256m) on an embedded PostgreSQL, drives it over HTTP and compares it with the",
        "         --targets direct (the gateway's persistence code, no HTTP) and floor (a hand-written minimal transaction",
        "         on tables of its own); reports gateway/direct and gateway/floor ratios and the gateway's and PostgreSQL's",
        "         CPU per 100 entities; options and defaults: " + String.join(" ", BenchCommand.optionDefaults()),
        "         (see docs/performance.md)",
        "       java -jar bench/target/sync-bench.jar chaos [--seconds 60] [--out chaos-results.json] [--faults all] ...",
        "         starts a gateway (-Xmx256m) on its own embedded PostgreSQL, drives 8 quiet organizations at a steady",
        "         rate and injects one fault after another: idle-flood, slow-clients, max-bodies, flood-org, db-stall",
        "         (SIGSTOP of PostgreSQL), postmaster-kill (kill -9); reports requests by status per fault window, the",
        "         quiet pushes' p50/p99, recovery times, health answers, OutOfMemoryErrors and acknowledged writes lost;",
        "         options and defaults: " + String.join(" ", ChaosCommand.optionDefaults()),
        "         (see docs/operations.md, \"Chaos run\")");
  }
}
