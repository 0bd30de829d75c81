package io.syncgateway.config;

/** One configuration setting: its key in conf/gateway.json, its environment override and default. */
public enum Setting {
  HTTP_PORT("http.port", "SYNC_HTTP_PORT", 8080),
  HTTP_HOST("http.host", "SYNC_HTTP_HOST", "0.0.0.0"),
  PG_URL("database.url", "SYNC_PG_URL", null),
  DATA_DIR("database.dataDir", "SYNC_DATA_DIR", "./data"),
  PG_POOL_SIZE("database.poolSize", "SYNC_PG_POOL_SIZE", 8),
  PG_CONNECT_TIMEOUT_MS("database.connectTimeoutMs", "SYNC_PG_CONNECT_TIMEOUT_MS", 2000),
  DB_SCHEMA("database.schema", "SYNC_DB_SCHEMA", "public"),
  DB_MIGRATE("database.migrate", "SYNC_DB_MIGRATE", true),
  EMBEDDED_RESTART_ATTEMPTS("database.embeddedRestartAttempts", "SYNC_EMBEDDED_RESTART_ATTEMPTS", 5),
  JWT_SECRET("auth.jwtSecret", "SYNC_JWT_SECRET", null),
  JWT_PUBLIC_KEY_FILE("auth.jwtPublicKeyFile", "SYNC_JWT_PUBLIC_KEY_FILE", null),
  JWT_JWKS_FILE("auth.jwtJwksFile", "SYNC_JWT_JWKS_FILE", null),
  JWT_ALGORITHMS("auth.jwtAlgorithms", "SYNC_JWT_ALGORITHMS", null),
  JWT_ISSUER("auth.jwtIssuer", "SYNC_JWT_ISSUER", null),
  JWT_AUDIENCE("auth.jwtAudience", "SYNC_JWT_AUDIENCE", null),
  HTTP_INSTANCES("http.instances", "SYNC_HTTP_INSTANCES", 0),
  DECODE_INSTANCES("decode.instances", "SYNC_DECODE_INSTANCES", 0),
  CONFLICT_INSTANCES("conflict.instances", "SYNC_CONFLICT_INSTANCES", 0),
  PERSISTENCE_INSTANCES("persistence.instances", "SYNC_PERSISTENCE_INSTANCES", 0),
  MAX_BODY_BYTES("limits.bodyBytes", "SYNC_MAX_BODY_BYTES", 4 * 1024 * 1024),
  MAX_DECODED_BYTES("limits.decodedBytes", "SYNC_MAX_DECODED_BYTES", 16 * 1024 * 1024),
  MAX_BATCH_ITEMS("limits.batchItems", "SYNC_MAX_BATCH_ITEMS", 500),
  MAX_JSON_DEPTH("limits.jsonDepth", "SYNC_MAX_JSON_DEPTH", 32),
  MEMORY_BUDGET_PERCENT("memory.budgetPercent", "SYNC_MEMORY_BUDGET_PERCENT", 50),
  MEMORY_MAX_WAIT_MS("memory.maxWaitMs", "SYNC_MEMORY_MAX_WAIT_MS", 2_000L),
  PULL_PAGE_BYTES("pull.pageBytes", "SYNC_PULL_PAGE_BYTES", 4 * 1024 * 1024),
  PULL_DEFAULT_LIMIT("pull.defaultLimit", "SYNC_PULL_DEFAULT_LIMIT", 100),
  PULL_MAX_LIMIT("pull.maxLimit", "SYNC_PULL_MAX_LIMIT", 1000),
  CLOCK_SKEW_MS("pull.clockSkewMs", "SYNC_CLOCK_SKEW_MS", 60_000L),
  PULL_HOLDBACK_WAIT_MS("pull.holdbackWaitMs", "SYNC_PULL_HOLDBACK_WAIT_MS", 5_000L),
  HORIZON_MARK_INTERVAL_MS("feed.horizonMarkIntervalMs", "SYNC_FEED_HORIZON_MARK_INTERVAL_MS", 1_000L),
  PUSH_DECIDE_ATTEMPTS("push.decideAttempts", "SYNC_PUSH_DECIDE_ATTEMPTS", 8),
  RETENTION_MS("retention.tombstoneMs", "SYNC_RETENTION_MS", 30L * 24 * 3600 * 1000),
  BATCH_ID_RETENTION_MS("retention.batchIdMs", "SYNC_BATCH_ID_RETENTION_MS", 48L * 3600 * 1000),
  PURGE_INTERVAL_MS("retention.purgeIntervalMs", "SYNC_PURGE_INTERVAL_MS", 3600_000L),
  BREAKER_MAX_FAILURES("breaker.maxFailures", "SYNC_BREAKER_MAX_FAILURES", 5),
  BREAKER_TIMEOUT_MS("breaker.timeoutMs", "SYNC_BREAKER_TIMEOUT_MS", 10_000L),
  BREAKER_RESET_MS("breaker.resetMs", "SYNC_BREAKER_RESET_MS", 5_000L),
  BREAKER_HEARTBEAT_MS("breaker.heartbeatMs", "SYNC_BREAKER_HEARTBEAT_MS", 1_000L),
  PUSH_CONCURRENCY("admission.pushConcurrency", "SYNC_PUSH_CONCURRENCY", 0),
  SHED_LOW_PRIORITY_AT("admission.shedLowPriorityAt", "SYNC_SHED_LOW_PRIORITY_AT", 32),
  SHED_MEDIUM_PRIORITY_AT("admission.shedMediumPriorityAt", "SYNC_SHED_MEDIUM_PRIORITY_AT", 64),
  PUSH_QUEUE_LIMIT("admission.pushQueueLimit", "SYNC_PUSH_QUEUE_LIMIT", 256),
  READ_CONCURRENCY("admission.readConcurrency", "SYNC_READ_CONCURRENCY", 0),
  READ_QUEUE_LIMIT("admission.readQueueLimit", "SYNC_READ_QUEUE_LIMIT", 128),
  ADMISSION_MAX_WAIT_MS("admission.maxWaitMs", "SYNC_ADMISSION_MAX_WAIT_MS", 5_000L),
  ADMISSION_ORG_SHARE_PERCENT("admission.organizationSharePercent", "SYNC_ADMISSION_ORG_SHARE_PERCENT", 50),
  PG_STATEMENT_TIMEOUT_MS("database.statementTimeoutMs", "SYNC_PG_STATEMENT_TIMEOUT_MS", 5_000L),
  DEVICE_SCAN_INTERVAL_MS("metrics.deviceScanIntervalMs", "SYNC_DEVICE_SCAN_INTERVAL_MS", 60_000L),
  BUS_TIMEOUT_MS("eventBus.timeoutMs", "SYNC_BUS_TIMEOUT_MS", 20_000L),
  SHUTDOWN_GRACE_MS("shutdown.graceMs", "SYNC_SHUTDOWN_GRACE_MS", 10_000L),
  RETRY_AFTER_SECONDS("http.retryAfterSeconds", "SYNC_RETRY_AFTER_SECONDS", 2),
  HTTP_IDLE_TIMEOUT_MS("http.idleTimeoutMs", "SYNC_HTTP_IDLE_TIMEOUT_MS", 75_000L),
  HTTP_HEADER_TIMEOUT_MS("http.headerTimeoutMs", "SYNC_HTTP_HEADER_TIMEOUT_MS", 10_000L),
  HTTP_BODY_TIMEOUT_MS("http.bodyTimeoutMs", "SYNC_HTTP_BODY_TIMEOUT_MS", 30_000L),
  HTTP_MAX_CONNECTIONS("http.maxConnections", "SYNC_HTTP_MAX_CONNECTIONS", 10_000),
  HTTP_MAX_CONNECTIONS_PER_ADDRESS("http.maxConnectionsPerAddress", "SYNC_HTTP_MAX_CONNECTIONS_PER_ADDRESS", 256),
  HTTP2_CLEARTEXT("http.h2c", "SYNC_HTTP2_CLEARTEXT", false),
  LIVE_PING_INTERVAL_MS("live.pingIntervalMs", "SYNC_LIVE_PING_INTERVAL_MS", 15_000L),
  LIVE_MAX_STREAMS_PER_USER("live.maxStreamsPerUser", "SYNC_LIVE_MAX_STREAMS_PER_USER", 8),
  LIVE_MAX_STREAMS("live.maxStreams", "SYNC_LIVE_MAX_STREAMS", 5_000),
  CORS_ORIGINS("http.corsOrigins", "SYNC_CORS_ORIGINS", null),
  DEMO_ENABLED("demo.enabled", "SYNC_DEMO", false),
  DEMO_DIR("demo.dir", "SYNC_DEMO_DIR", "clients/js/demo"),
  METRICS_REGISTRY("metrics.registryName", "SYNC_METRICS_REGISTRY", "sync-gateway"),
  ROLES("roles", "SYNC_ROLES", "http,decode,conflict,persistence"),
  CLUSTER_ENABLED("cluster.enabled", "SYNC_CLUSTER_ENABLED", false),
  CLUSTER_NAME("cluster.name", "SYNC_CLUSTER_NAME", "sync-gateway"),
  CLUSTER_MEMBERS("cluster.members", "SYNC_CLUSTER_MEMBERS", "127.0.0.1"),
  CLUSTER_HOST("cluster.host", "SYNC_CLUSTER_HOST", "127.0.0.1"),
  CLUSTER_PORT("cluster.port", "SYNC_CLUSTER_PORT", 5701),
  CLUSTER_BUS_PORT("cluster.eventBusPort", "SYNC_CLUSTER_BUS_PORT", 0),
  CLUSTER_MEMBER_TIMEOUT_SECONDS("cluster.memberTimeoutSeconds", "SYNC_CLUSTER_MEMBER_TIMEOUT_SECONDS", 10),
  BRIDGE_ENABLED("bridge.enabled", "SYNC_BRIDGE_ENABLED", false),
  BRIDGE_HOST("bridge.host", "SYNC_BRIDGE_HOST", "127.0.0.1"),
  BRIDGE_PORT("bridge.port", "SYNC_BRIDGE_PORT", 7000),
  VALIDATION_HOOK_ENABLED("hooks.validation.enabled", "SYNC_VALIDATION_HOOK_ENABLED", false),
  VALIDATION_HOOK_TIMEOUT_MS("hooks.validation.timeoutMs", "SYNC_VALIDATION_HOOK_TIMEOUT_MS", 200L);

  private final String key;
  private final String env;
  private final Object defaultValue;

  Setting(String key, String env, Object defaultValue) {
    this.key = key;
    this.env = env;
    this.defaultValue = defaultValue;
  }

  public String key() {
    return key;
  }

  public String env() {
    return env;
  }

  public Object defaultValue() {
    return defaultValue;
  }
}
