package io.syncgateway;

import io.syncgateway.auth.Role;
import io.syncgateway.auth.TokenService;
import io.syncgateway.auth.VerificationKeys;
import io.syncgateway.config.GatewayConfig;
import io.syncgateway.config.LogFormat;
import io.syncgateway.config.NodeRole;
import io.syncgateway.config.Setting;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Command line of the server jar: no arguments (or {@code run}) runs the gateway; {@code migrate
 * [--baseline]} brings the database schema up to date and exits ({@link MigrateCommand}); {@code
 * token --user U --org O [--role R] [--expires-in SECONDS] [--scope S]} prints a token signed with the
 * configured secret. The command-line sync client and the bench have jars of their own (see
 * {@link #MOVED}).
 */
public final class Main {
  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  /** Commands that live in their own jars since the client and the bench left the server. */
  private static final Map<String, String> MOVED = Map.of(
      "client", "java -jar clients/java/target/sync-client-cli.jar ...",
      "bench", "java -jar bench/target/sync-bench.jar bench ...",
      "chaos", "java -jar bench/target/sync-bench.jar chaos ...");

  private Main() {}

  public static void main(String[] args) {
    try {
      if (args.length > 0 && MOVED.containsKey(args[0])) {
        System.err.println("'" + args[0] + "' is not part of the server jar: run " + MOVED.get(args[0]));
        System.exit(2);
      } else if (args.length > 0 && args[0].equals("token")) {
        System.out.println(token(options(args)));
      } else if (args.length > 0 && args[0].equals("migrate")) {
        System.exit(MigrateCommand.run(List.of(args).subList(1, args.length), loadConfig(), System.out, System.err));
      } else if (args.length > 0 && (args[0].equals("help") || args[0].equals("--help") || args[0].equals("-h"))) {
        System.out.println(usage());
      } else if (args.length == 0 || args[0].equals("run")) {
        run();
      } else {
        System.err.println("Unknown command '" + args[0] + "'\n" + usage());
        System.exit(2);
      }
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      System.exit(2);
    }
  }

  private static String usage() {
    return String.join("\n",
        "usage: java -jar target/sync-gateway.jar [run]",
        "       java -jar target/sync-gateway.jar migrate [--baseline]",
        "         applies the database migrations (SYNC_PG_URL, SYNC_DB_SCHEMA) and exits; --baseline accepts a schema",
        "         that already holds other tables (see docs/operations.md, \"Database setup and upgrades\")",
        "       java -jar target/sync-gateway.jar token --user U --org O [--role member|viewer|admin] [--expires-in SECONDS]",
        "         [--scope changes:bodies] (a bridged service's right to the change stream with entity bodies)",
        "       (the sync client: java -jar clients/java/target/sync-client-cli.jar --help;",
        "        bench and chaos: java -jar bench/target/sync-bench.jar bench|chaos --help)",
        "Environment: SYNC_HTTP_PORT, SYNC_PG_URL, SYNC_DB_SCHEMA, SYNC_DB_MIGRATE, SYNC_DATA_DIR, SYNC_JWT_SECRET, SYNC_JWT_PUBLIC_KEY_FILE,",
        "             SYNC_JWT_JWKS_FILE (see docs/operations.md and docs/security.md)");
  }

  static GatewayConfig loadConfig() {
    String file = System.getenv().getOrDefault("SYNC_CONFIG", GatewayConfig.DEFAULT_FILE);
    return GatewayConfig.load(Path.of(file), System.getenv());
  }

  private static void run() {
    GatewayConfig config = loadConfig();
    // Without a secret and without public keys, a development session gets a random HS256 secret.
    boolean devSecret = config.string(Setting.JWT_SECRET) == null && !VerificationKeys.hasPublicKeyFiles(config);
    if (devSecret) {
      config = config.with(Setting.JWT_SECRET, TokenService.randomSecret());
    }
    // Fails fast, with a message for the operator: a secret under 32 bytes, an unreadable key file,
    // an algorithm without a key.
    VerificationKeys keys = VerificationKeys.fromConfig(config);
    Gateway gateway = startOrExit(config);
    Runtime.getRuntime().addShutdownHook(new Thread(gateway::close, "gateway-shutdown"));
    printWelcome(gateway, devSecret, keys);
  }

  /**
   * The started gateway; or, when it cannot start, one line with the cause and a hint on standard
   * error and exit status 1 (Gateway.start has already stopped what it started).
   */
  private static Gateway startOrExit(GatewayConfig config) {
    try {
      return Gateway.start(config);
    } catch (Throwable e) {
      LOG.debug("Start-up failed", e);
      System.err.println("sync-gateway could not start: " + StartupProblems.explain(e, config));
      System.exit(1);
      throw new AssertionError("unreachable");
    }
  }

  private static void printWelcome(Gateway gateway, boolean devSecret, VerificationKeys keys) {
    if (!gateway.roles().contains(NodeRole.HTTP)) {
      // A node of a clustered bus without HTTP: nothing to call here, its stages serve the bus.
      LOG.info("sync-gateway is running {} (no HTTP on this node: clients go through a node with the http role)",
          gateway.roles().stream().map(NodeRole::wire).collect(Collectors.joining(",")));
      return;
    }
    String base = "http://localhost:" + gateway.httpPort();
    StringBuilder text = new StringBuilder("\nsync-gateway is ready on ").append(base).append('\n');
    if (devSecret) {
      String token = new TokenService(gateway.vertx(), gateway.config().string(Setting.JWT_SECRET))
          .issue("dev-user", "dev-org", Role.MEMBER, 24 * 3600);
      text.append("SYNC_JWT_SECRET is not set: using a random secret for this run. A development token ")
          .append("(user dev-user, org dev-org, valid 24 h):\n\n  export TOKEN=").append(token).append("\n\n")
          .append("Try it:\n  echo '{\"deviceId\":\"laptop-1\",\"changes\":{\"task\":[{\"id\":\"t1\",\"operation\":\"create\",")
          .append("\"title\":\"Buy milk\",\"vectorClock\":{\"laptop-1\":1}}]}}' | gzip | curl -s -X POST ")
          .append(base).append("/api/sync/push -H \"Authorization: Bearer $TOKEN\" -H 'Content-Type: application/json' ")
          .append("-H 'Content-Encoding: gzip' --data-binary @-\n")
          .append("  curl -s '").append(base).append("/api/sync/pull?deviceId=phone-1' -H \"Authorization: Bearer $TOKEN\"\n");
    } else {
      text.append("Accepted token algorithms: ").append(String.join(", ", keys.algorithms())).append('\n');
      if (keys.secret() != null) {
        text.append("Tokens: java -jar target/sync-gateway.jar token --user U --org O\n");
      }
    }
    if (Boolean.parseBoolean(gateway.config().string(Setting.DEMO_ENABLED))) {
      text.append(demoLinks(gateway, base));
    }
    if (LogFormat.isJson()) {
      LOG.info(text.toString().strip()); // standard output carries JSON lines only
    } else {
      System.out.println(text);
    }
  }

  /** SYNC_DEMO=true: one link per demo user, the token in the fragment (never sent to the server, never logged). */
  private static String demoLinks(Gateway gateway, String base) {
    String secret = gateway.config().string(Setting.JWT_SECRET);
    StringBuilder links = new StringBuilder("\nBrowser demo (development mode, SYNC_DEMO=true): ").append(base)
        .append("/demo/\n");
    if (secret == null) {
      return links.append("  no HS256 secret: paste a token of your identity provider into the demo\n").toString();
    }
    TokenService tokens = new TokenService(gateway.vertx(), secret);
    for (String user : List.of("alice", "bob")) {
      links.append("  as ").append(user).append(" (org demo, valid 24 h): ").append(base).append("/demo/#token=")
          .append(tokens.issue(user, "demo", Role.MEMBER, 24 * 3600)).append('\n');
    }
    return links.append("  Open each link in its own tab: every tab is a device of its own.\n").toString();
  }

  private static String token(Map<String, String> options) {
    GatewayConfig config = loadConfig();
    String secret = config.string(Setting.JWT_SECRET);
    if (secret == null) {
      throw new IllegalArgumentException("SYNC_JWT_SECRET is not set. Set it (at least 32 bytes) for both the gateway "
          + "and this command, or use the development token the gateway prints at start-up.");
    }
    VerificationKeys keys = VerificationKeys.fromConfig(config);
    if (keys.secret() == null) {
      throw new IllegalArgumentException("SYNC_JWT_ALGORITHMS does not include HS256: the gateway would refuse "
          + "a token signed with SYNC_JWT_SECRET; issue tokens with your identity provider instead.");
    }
    String user = require(options, "user");
    String org = require(options, "org");
    Role role = Role.fromClaim(options.getOrDefault("role", "member"));
    if (role == null) {
      throw new IllegalArgumentException("--role must be member, viewer or admin");
    }
    long expiresIn = Long.parseLong(options.getOrDefault("expires-in", String.valueOf(24 * 3600)));
    Vertx vertx = Vertx.vertx();
    try {
      Set<String> scopes = Arrays.stream(options.getOrDefault("scope", "").split("[\\s,]+"))
          .filter(scope -> !scope.isEmpty()).collect(Collectors.toSet());
      return new TokenService(vertx, keys).issue(user, org, role, expiresIn, scopes);
    } finally {
      vertx.close();
    }
  }

  private static String require(Map<String, String> options, String name) {
    String value = options.get(name);
    if (value == null || value.isEmpty() || value.length() > 128) {
      throw new IllegalArgumentException("--" + name + " is required (1-128 characters)");
    }
    return value;
  }

  /** {@code --name value} or {@code --name=value} options after the command word (also used by the bench's main). */
  public static Map<String, String> options(String[] args) {
    Map<String, String> options = new HashMap<>();
    for (int i = 1; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--")) {
        throw new IllegalArgumentException("Unexpected argument '" + arg + "'");
      }
      String name = arg.substring(2);
      int eq = name.indexOf('=');
      if (eq > 0) {
        options.put(name.substring(0, eq), name.substring(eq + 1));
      } else if (i + 1 < args.length) {
        options.put(name, args[++i]);
      } else {
        throw new IllegalArgumentException("--" + name + " needs a value");
      }
    }
    return options;
  }
}
