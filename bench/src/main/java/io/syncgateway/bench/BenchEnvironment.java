package io.syncgateway.bench;

import io.syncgateway.auth.TokenService;
import io.syncgateway.persistence.db.EmbeddedPostgresServer;
import io.syncgateway.persistence.db.Migrations;
import io.syncgateway.persistence.db.PgUrl;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a run drives: the database (embedded unless --pg-url), the gateway (a child JVM unless --url),
 * the targets it is compared with (direct, floor) and the resource sampler. Organizations are named
 * after the run, so runs never share data.
 */
final class BenchEnvironment implements AutoCloseable {
  private static final int HTTP_CONNECTIONS = 128;

  final BenchOptions options;
  final PrintStream log;
  final Vertx vertx = Vertx.vertx();
  final String runId = "bench" + Long.toString(System.currentTimeMillis(), 36);
  final Path workDir;
  final PgUrl pgUrl;
  final String secret;
  final TokenService tokens;
  private final EmbeddedPostgresServer embedded;
  private GatewayProcess gatewayProcess;
  private GatewayTarget gateway;
  private ResourceSampler sampler;
  private final DirectTarget direct;
  private final FloorTarget floor;
  private final PostgresCpu postgresCpu;

  BenchEnvironment(BenchOptions options, PrintStream log) {
    this.options = options;
    this.log = log;
    try {
      workDir = Files.createTempDirectory("sync-bench");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (options.url() != null && (options.pgUrl() == null || options.jwtSecret() == null)) {
      throw new IllegalArgumentException("--url needs --pg-url (for the direct and floor comparisons) and --jwt-secret "
          + "(the gateway's SYNC_JWT_SECRET, to sign device tokens)");
    }
    embedded = options.pgUrl() == null ? EmbeddedPostgresServer.startTemporary() : null;
    pgUrl = embedded != null ? embedded.url() : PgUrl.parse(options.pgUrl());
    Migrations.migrate(pgUrl);
    secret = options.jwtSecret() != null ? options.jwtSecret() : TokenService.randomSecret();
    tokens = new TokenService(vertx, secret);
    postgresCpu = PostgresCpu.locate(vertx, pgUrl.connectOptions());
    log.println(postgresCpu == null ? "PostgreSQL does not run on this machine: its CPU is not measured"
        : "PostgreSQL's CPU is read from /proc for postmaster " + postgresCpu.postmasterPid() + " and its children");
    direct = new DirectTarget(vertx, pgUrl, options.poolSize());
    floor = options.drives("floor") ? FloorTarget.create(vertx, pgUrl.connectOptions(), options.poolSize()) : null;
    if (options.url() != null) {
      connect(URI.create(options.url()), null);
    } else {
      startGateway(Map.of());
    }
  }

  /** (Re)starts the child gateway with extra settings, e.g. verticle instance counts. */
  void startGateway(Map<String, String> settings) {
    stopGateway();
    Map<String, String> env = new HashMap<>(settings);
    env.put("SYNC_PG_URL", pgUrl.connectionString());
    env.put("SYNC_JWT_SECRET", secret);
    env.put("SYNC_PG_POOL_SIZE", String.valueOf(options.poolSize()));
    log.println("Starting the gateway: java -Xmx" + options.gatewayHeap() + " " + String.join(" ",
        options.gatewayJvmArgs()) + " io.syncgateway.Main run " + settings + " (log: " + workDir.resolve("gateway.log") + ")");
    gatewayProcess = GatewayProcess.start(options.gatewayHeap(), options.gatewayJvmArgs(), env,
        workDir.resolve("gateway.log"));
    connect(gatewayProcess.base(), new ProcessStats(gatewayProcess.pid()));
  }

  /** Another gateway process on the same database, e.g. the writers of the live workload. */
  GatewayProcess startSecondGateway(String name) {
    Map<String, String> env = Map.of("SYNC_PG_URL", pgUrl.connectionString(), "SYNC_JWT_SECRET", secret,
        "SYNC_PG_POOL_SIZE", String.valueOf(options.poolSize()));
    return GatewayProcess.start(options.gatewayHeap(), List.of(), env, workDir.resolve(name + ".log"));
  }

  /** The heap the gateway under test uses now (its /metrics), in MiB. */
  double gatewayHeapMib() {
    return ResourceSampler.heapUsedMib(gateway.get("/metrics").await().bodyAsString());
  }

  /** The gateway's resident set size now, in MiB (0 when it is not a child of this run). */
  double gatewayRssMib() {
    return gatewayProcess == null ? 0 : new ProcessStats(gatewayProcess.pid()).rssMib();
  }

  boolean ownsGateway() {
    return options.url() == null;
  }

  private void connect(URI base, ProcessStats stats) {
    gateway = new GatewayTarget(vertx, base, HTTP_CONNECTIONS);
    sampler = new ResourceSampler(vertx, gateway, stats, postgresCpu);
  }

  private void stopGateway() {
    if (sampler != null) {
      sampler.close();
      gateway.close();
    }
    if (gatewayProcess != null) {
      gatewayProcess.close();
      gatewayProcess = null;
    }
  }

  GatewayTarget gateway() {
    return gateway;
  }

  DirectTarget direct() {
    return direct;
  }

  /** The targets the workloads run against (--targets), the gateway first. */
  List<SyncTarget<?>> targets() {
    List<SyncTarget<?>> targets = new ArrayList<>(List.of(gateway));
    if (options.drives("direct")) {
      targets.add(direct);
    }
    if (floor != null) {
      targets.add(floor);
    }
    return targets;
  }

  ResourceSampler sampler() {
    return sampler;
  }

  String org(String name) {
    return runId + "-" + name;
  }

  /** Runs a closed-loop workload against a target and adds CPU and memory figures to its measurement. */
  Measurement measure(String workload, SyncTarget<?> target, List<LoadDevice> devices) {
    ResourceSampler.Phase phase = sampler.start();
    Measurement measurement = ClosedLoop.run(workload, target.name(), devices);
    JsonObject resources = sampler.stop(phase);
    JsonObject cpuPer100 = ResourceSampler.cpuMillisPer100Entities(resources, measurement.entities());
    if (target != gateway) {
      cpuPer100.remove("gateway"); // it idles while another target does the work
    }
    measurement.extra().mergeIn(resources).put("cpuMsPer100Entities", cpuPer100);
    log.printf("  %-28s %-8s %9.0f entities/s  p50 %7.1f ms  p99 %7.1f ms  errors %d%n", workload, target.name(),
        measurement.entitiesPerSecond(), measurement.latencyMillis(50), measurement.latencyMillis(99),
        measurement.errorCount());
    return measurement;
  }

  @Override
  public void close() {
    try {
      stopGateway();
      direct.close();
      if (floor != null) {
        floor.close();
      }
      vertx.close().await();
    } finally {
      if (embedded != null) {
        embedded.close();
      }
    }
  }
}
