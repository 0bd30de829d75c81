package io.syncgateway;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.syncgateway.bridge.EventBusBridge;
import io.syncgateway.bus.BusCodecs;
import io.syncgateway.cluster.ClusterSettings;
import io.syncgateway.config.GatewayConfig;
import io.syncgateway.config.NodeRole;
import io.syncgateway.config.Setting;
import io.syncgateway.conflict.ConflictVerticle;
import io.syncgateway.decode.DecodeVerticle;
import io.syncgateway.http.HttpVerticle;
import io.syncgateway.http.Liveness;
import io.syncgateway.http.RequestDrain;
import io.syncgateway.live.ChangeListener;
import io.syncgateway.metrics.SyncMetrics;
import io.syncgateway.persistence.PersistenceVerticle;
import io.syncgateway.persistence.db.DatabaseSchema;
import io.syncgateway.persistence.db.EmbeddedPostgresPlatform;
import io.syncgateway.persistence.db.EmbeddedPostgresServer;
import io.syncgateway.persistence.db.EmbeddedPostgresSupervisor;
import io.syncgateway.persistence.db.Migrations;
import io.syncgateway.persistence.db.PgUrl;
import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running gateway: its database (embedded unless a URL is configured), migrations, and the
 * verticles deployed in dependency order (persistence, conflict, decode, then HTTP last).
 */
public final class Gateway implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);

  private final Vertx vertx;
  private final EmbeddedPostgresServer embedded;
  private final EmbeddedPostgresSupervisor supervisor;
  private final GatewayConfig config;
  private final RequestDrain drain = new RequestDrain();
  private final Set<NodeRole> roles;
  private ChangeListener changes;
  private EventBusBridge bridge;

  private Gateway(Vertx vertx, EmbeddedPostgresServer embedded, EmbeddedPostgresSupervisor supervisor,
      GatewayConfig config) {
    this.vertx = vertx;
    this.embedded = embedded;
    this.supervisor = supervisor;
    this.config = config;
    this.roles = NodeRole.parse(config.string(Setting.ROLES));
  }

  /**
   * Starts everything; blocks until the gateway serves HTTP. Not for event-loop threads. On failure,
   * stops what it had started (Vert.x, the embedded database) before rethrowing: a gateway that
   * cannot start must leave no server or thread behind.
   */
  public static Gateway start(GatewayConfig requested) {
    GatewayConfig config = requested;
    EmbeddedPostgresServer embedded = null;
    EmbeddedPostgresSupervisor supervisor = null;
    Vertx vertx = null;
    try {
      // A node without conflict detection or persistence (an edge node of a cluster) needs no database.
      if (NodeRole.needDatabase(NodeRole.parse(config.string(Setting.ROLES)))) {
        DatabaseSchema schema = new DatabaseSchema(config.string(Setting.DB_SCHEMA));
        boolean migrate = config.flag(Setting.DB_MIGRATE);
        if (config.string(Setting.PG_URL) == null) {
          embedded = startEmbedded(config);
          config = config.with(Setting.PG_URL, embedded.url().connectionString());
        }
        PgUrl url = databaseUrl(config);
        LOG.info("Using PostgreSQL at {}", url.redacted());
        prepareSchema(url, schema, migrate);
      }
      vertx = buildVertx(config);
      if (embedded != null) {
        supervisor = supervise(embedded, vertx, config);
      }
      Gateway gateway = new Gateway(vertx, embedded, supervisor, config);
      gateway.deployAll().await();
      return gateway;
    } catch (Throwable e) {
      stopQuietly(supervisor, vertx, embedded);
      throw e;
    }
  }

  /**
   * The embedded PostgreSQL on {@code SYNC_DATA_DIR}, after checking this build carries binaries for
   * the platform.
   */
  static EmbeddedPostgresServer startEmbedded(GatewayConfig config) {
    EmbeddedPostgresPlatform.missingBinariesHere().ifPresent(problem -> {
      throw new StartupFailure(problem);
    });
    Path dataDir = Path.of(config.string(Setting.DATA_DIR)).toAbsolutePath().normalize();
    LOG.info("SYNC_PG_URL is not set: starting the embedded PostgreSQL with its data in {}", dataDir.resolve("postgres"));
    return EmbeddedPostgresServer.start(dataDir.resolve("postgres"));
  }

  /** The configured database URL; a malformed one is a one-line start-up failure naming the setting. */
  static PgUrl databaseUrl(GatewayConfig config) {
    try {
      return PgUrl.parse(config.string(Setting.PG_URL));
    } catch (IllegalArgumentException e) {
      throw new StartupFailure(Setting.PG_URL.env() + " is not usable: " + e.getMessage());
    }
  }

  /** Migrates, or (SYNC_DB_MIGRATE=false, a serving user without DDL rights) only checks the version. */
  private static void prepareSchema(PgUrl url, DatabaseSchema schema, boolean migrate) {
    if (migrate) {
      Migrations.migrate(url, schema, false);
    } else {
      String version = Migrations.requireUpToDate(url, schema);
      LOG.info("Schema '{}' is up to date (version {}); SYNC_DB_MIGRATE=false, so no migration was attempted",
          schema.name(), version);
    }
  }

  /** Best effort: a failure while cleaning up must not hide the one that made start-up fail. */
  private static void stopQuietly(EmbeddedPostgresSupervisor supervisor, Vertx vertx, EmbeddedPostgresServer embedded) {
    try {
      if (supervisor != null) {
        supervisor.close();
      }
      if (vertx != null) {
        vertx.close().await();
      }
    } catch (RuntimeException e) {
      LOG.debug("Error while stopping after a failed start", e);
    } finally {
      if (embedded != null) {
        embedded.close();
      }
    }
  }

  /** Restarts the embedded PostgreSQL when it dies; once it cannot, /health/live fails. */
  private static EmbeddedPostgresSupervisor supervise(EmbeddedPostgresServer embedded, Vertx vertx,
      GatewayConfig config) {
    SyncMetrics metrics = SyncMetrics.of(config.string(Setting.METRICS_REGISTRY));
    EmbeddedPostgresSupervisor supervisor = EmbeddedPostgresSupervisor.start(embedded,
        config.integer(Setting.EMBEDDED_RESTART_ATTEMPTS), metrics::embeddedDatabaseRestart);
    metrics.embeddedDatabaseState(() -> supervisor.state().ordinal());
    Liveness.of(vertx).require("embedded-database",
        () -> supervisor.state() != EmbeddedPostgresSupervisor.State.FAILED);
    return supervisor;
  }

  /**
   * One process, or a member of the clustered bus (cluster.enabled). The message codecs are
   * registered on every node before anything is deployed, so a record sent from any node is read on
   * any other, whichever verticles it runs.
   */
  private static Vertx buildVertx(GatewayConfig config) {
    PrometheusMeterRegistry registry = SyncMetrics.newPrometheusRegistry();
    VertxOptions options = new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions()
        .setEnabled(true).setJvmMetricsEnabled(true).setRegistryName(config.string(Setting.METRICS_REGISTRY))
        .addLabels(Label.HTTP_ROUTE, Label.EB_ADDRESS));
    var builder = Vertx.builder().withMetrics(new MicrometerMetricsFactory(registry));
    Vertx vertx;
    if (config.flag(Setting.CLUSTER_ENABLED)) {
      LOG.info("Joining the cluster '{}' on {} (members {})", config.string(Setting.CLUSTER_NAME),
          config.string(Setting.CLUSTER_HOST), config.string(Setting.CLUSTER_MEMBERS));
      vertx = builder.with(ClusterSettings.eventBus(options, config))
          .withClusterManager(ClusterSettings.clusterManager(config)).buildClustered().await();
    } else {
      vertx = builder.with(options).build();
    }
    BusCodecs.register(vertx);
    return vertx;
  }

  /** The verticles of this process's roles, in dependency order; then the bridge and the change listener. */
  private Future<Void> deployAll() {
    JsonObject conf = config.toJson();
    LOG.info("Roles of this process: {}", roles);
    return deploy(NodeRole.PERSISTENCE, PersistenceVerticle::new, config.instances(Setting.PERSISTENCE_INSTANCES), ThreadingModel.EVENT_LOOP, conf)
        .compose(v -> deploy(NodeRole.CONFLICT, ConflictVerticle::new, config.instances(Setting.CONFLICT_INSTANCES), ThreadingModel.EVENT_LOOP, conf))
        .compose(v -> deploy(NodeRole.DECODE, DecodeVerticle::new, config.instances(Setting.DECODE_INSTANCES), ThreadingModel.WORKER, conf))
        .compose(v -> deploy(NodeRole.HTTP, () -> new HttpVerticle(drain), config.instances(Setting.HTTP_INSTANCES), ThreadingModel.EVENT_LOOP, conf))
        .compose(v -> config.flag(Setting.BRIDGE_ENABLED)
            ? EventBusBridge.start(vertx, config).onSuccess(started -> bridge = started).mapEmpty()
            : Future.succeededFuture())
        .onSuccess(v -> startChangeListener())
        .onSuccess(v -> {
          if (roles.contains(NodeRole.HTTP)) {
            LOG.info("Gateway listening on port {}", config.integer(Setting.HTTP_PORT));
          }
        })
        .mapEmpty();
  }

  /**
   * One LISTEN per process, once the HTTP verticles that fan its notices out are there. In a cluster
   * the persistence verticles publish each commit's notice on the clustered bus instead, so no
   * node listens: a second mechanism would announce every change twice.
   */
  private void startChangeListener() {
    if (roles.contains(NodeRole.HTTP) && !config.flag(Setting.CLUSTER_ENABLED) && config.string(Setting.PG_URL) != null) {
      changes = ChangeListener.start(vertx, config, SyncMetrics.of(config.string(Setting.METRICS_REGISTRY)));
    }
  }

  private Future<String> deploy(NodeRole role, Supplier<Deployable> verticle, int instances, ThreadingModel model,
      JsonObject conf) {
    if (!roles.contains(role)) {
      return Future.succeededFuture();
    }
    String name = role.wire();
    return vertx.deployVerticle(verticle, new DeploymentOptions()
            .setInstances(instances).setThreadingModel(model).setConfig(conf))
        .onSuccess(id -> LOG.info("Deployed {} instance(s) of the {} verticle ({})", instances, name,
            model == ThreadingModel.WORKER ? "worker threads" : "event loops"));
  }

  public GatewayConfig config() {
    return config;
  }

  public Vertx vertx() {
    return vertx;
  }

  /** The verticles this process runs ({@code SYNC_ROLES}). */
  public Set<NodeRole> roles() {
    return roles;
  }

  public int httpPort() {
    return config.integer(Setting.HTTP_PORT);
  }

  /**
   * Refuses new requests and lets those in flight finish (at most the configured grace period),
   * then stops Vert.x (servers, verticles, the pool), then the embedded database. Never waits on
   * idle keep-alive connections: they are closed with the server.
   */
  @Override
  public void close() {
    if (supervisor != null) {
      supervisor.close(); // first: the database's own shutdown must not look like a death to restart from
    }
    try {
      Duration grace = Duration.ofMillis(config.number(Setting.SHUTDOWN_GRACE_MS));
      drain.refuseNewRequests();
      LOG.info("Shutting down: refusing new requests, waiting up to {} ms for {} in flight", grace.toMillis(),
          drain.inFlight());
      int abandoned = drain.awaitIdle(grace);
      if (abandoned > 0) {
        LOG.warn("{} request(s) still in flight after the grace period; closing anyway", abandoned);
      }
      if (changes != null) {
        changes.close();
      }
      if (bridge != null) {
        bridge.close();
      }
      vertx.close().await();
      LOG.info("Stopped the HTTP server, the verticles and the database pool");
    } finally {
      if (embedded != null) {
        embedded.close();
      }
    }
  }
}
