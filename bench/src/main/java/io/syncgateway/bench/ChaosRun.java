package io.syncgateway.bench;

import io.syncgateway.auth.TokenService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * One chaos run: a gateway child JVM on its own embedded PostgreSQL, quiet organizations' traffic at
 * a steady open-loop rate for the whole run, the faults one after another on the {@link ChaosSchedule},
 * health probes twice a second, then a recovery wait and the audit of every acknowledged write.
 * Every step is bounded in time: client requests have timeouts, faults stop at the end of their window.
 */
final class ChaosRun implements AutoCloseable {
  private static final int QUIET_CONNECTIONS = 64;
  private static final int FAULT_CONNECTIONS = 64;
  private static final long PROBE_PERIOD_MS = 500;
  private static final int PROBE_TIMEOUT_MS = 2_000;
  private static final long BULK_TIMEOUT_MS = 60_000;
  private static final int AUDIT_PAGE = 1_000;
  /** Pages of maximum-size tasks (100 000-character descriptions) stay small: about 2 MB each. */
  private static final int BULK_AUDIT_PAGE = 20;
  private static final long AUDIT_DEADLINE_MS = 120_000;

  /** A device of a quiet organization: its tasks, its clock counter and its pull cursor. */
  private record QuietDevice(String org, SimDevice device, List<String> taskIds, AtomicLong counter,
      AtomicReference<String> cursor) {}

  private final ChaosOptions options;
  private final PrintStream log;
  private final Vertx vertx = Vertx.vertx();
  private final String runId = "chaos" + Long.toString(System.currentTimeMillis(), 36);
  private final Path workDir;
  private final Path gatewayLog;
  private final TokenService tokens;
  private final GatewayProcess gateway;
  private final GatewayTarget quiet;
  private final GatewayTarget faultClient;
  private final WebClient probes;
  private final ChaosPostgres postgres;
  private final ChaosSchedule schedule;
  private final ChaosLedger ledger = new ChaosLedger();
  private final Map<String, Measurement> quietPushes = new LinkedHashMap<>();
  private final Map<String, Measurement> quietPulls = new LinkedHashMap<>();
  /** window → health path → outcome ("200", "503", "no answer") → probes. */
  private final Map<String, Map<String, Map<String, Long>>> health = new ConcurrentHashMap<>();
  private final Queue<ChaosSchedule.Success> successes = new ConcurrentLinkedQueue<>();
  private final List<ChaosFault> active = new ArrayList<>();
  private List<QuietDevice> devices = List.of();
  private long startNanos;

  ChaosRun(ChaosOptions options, PrintStream log) {
    this.options = options;
    this.log = log;
    this.schedule = ChaosSchedule.plan(options.seconds(), options.faults(), options.stallSeconds());
    try {
      workDir = Files.createTempDirectory("sync-chaos");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    gatewayLog = workDir.resolve("gateway.log");
    String secret = TokenService.randomSecret();
    tokens = new TokenService(vertx, secret);
    Path dataDir = workDir.resolve("data");
    Map<String, String> env = new HashMap<>();
    env.put("SYNC_PG_URL", null); // the gateway's own embedded PostgreSQL, whose processes the faults signal
    env.put("SYNC_DATA_DIR", dataDir.toString());
    env.put("SYNC_JWT_SECRET", secret);
    log.println("Starting the gateway: java -Xmx" + options.gatewayHeap() + " " + String.join(" ",
        options.gatewayJvmArgs()) + " io.syncgateway.Main run, embedded PostgreSQL in " + dataDir
        + " (log: " + gatewayLog + ")");
    try {
      gateway = GatewayProcess.start(options.gatewayHeap(), options.gatewayJvmArgs(), env, gatewayLog);
    } catch (RuntimeException e) {
      vertx.close().await();
      throw e;
    }
    quiet = new GatewayTarget(vertx, gateway.base(), QUIET_CONNECTIONS, options.requestTimeoutMs());
    faultClient = new GatewayTarget(vertx, gateway.base(), FAULT_CONNECTIONS, options.requestTimeoutMs());
    // A new connection per probe, as a load balancer's health check makes them.
    probes = WebClient.create(vertx, new WebClientOptions().setDefaultHost(gateway.base().getHost())
        .setDefaultPort(gateway.base().getPort()).setKeepAlive(false).setConnectTimeout(PROBE_TIMEOUT_MS));
    postgres = new ChaosPostgres(dataDir.resolve("postgres"));
    for (String window : schedule.windowNames()) {
      quietPushes.put(window, new Measurement(window, "quiet-push"));
      quietPulls.put(window, new Measurement(window, "quiet-pull"));
    }
  }

  JsonObject execute() {
    setUp();
    Map<String, ChaosFault> faults = new LinkedHashMap<>();
    for (ChaosSchedule.Window window : schedule.windows()) {
      faults.put(window.fault(), fault(window.fault()));
    }
    log.printf("Traffic: %d quiet organizations x %d devices, %d requests/s (half pushes, half pulls) for %d s; "
        + "faults: %s%n", options.quietOrgs(), options.quietDevices(), options.rate(), options.seconds(),
        String.join(", ", options.faults()));
    startNanos = System.nanoTime();
    long probeTimer = vertx.setPeriodic(PROBE_PERIOD_MS, id -> probeHealth());
    List<Measurement> quietKinds = Stream.concat(quietPushes.values().stream(), quietPulls.values().stream()).toList();
    Thread traffic = ChaosFault.thread("chaos-quiet", () ->
        OpenLoop.run(options.rate(), options.seconds(), this::quietRequest, quietKinds));
    JsonArray faultResults = new JsonArray();
    for (ChaosSchedule.Window window : schedule.windows()) {
      faultResults.add(inject(window, faults.get(window.fault())));
    }
    join(traffic, schedule.totalMs() + options.requestTimeoutMs() + 10_000L - nowMs());
    boolean recovered = recoveryWait();
    log.printf("%7.1f s  %s%n", nowMs() / 1000.0, recovered ? "a quiet push succeeded: auditing acknowledged writes"
        : "no quiet push succeeded within " + options.recoverySeconds() + " s: the gateway did not recover");
    JsonObject writes = audit(recovered);
    vertx.cancelTimer(probeTimer);
    return results(faults, faultResults, writes);
  }

  /** Quiet devices and their tasks (each device creates its own), before the clock starts. */
  private void setUp() {
    List<QuietDevice> fleet = new ArrayList<>();
    for (int q = 0; q < options.quietOrgs(); q++) {
      String org = runId + "-quiet-" + q;
      for (SimDevice device : SimDevice.fleet(org, "d", options.quietDevices(), tokens)) {
        List<String> ids = IntStream.range(0, options.quietTasks())
            .mapToObj(n -> TaskPayloads.taskId(device.deviceId(), n)).toList();
        fleet.add(new QuietDevice(org, device, ids, new AtomicLong(1), new AtomicReference<>()));
      }
    }
    devices = List.copyOf(fleet);
    Future.all(devices.stream().map(d -> {
      String batchId = d.device().deviceId() + "-create";
      JsonObject body = TaskPayloads.body(d.device().deviceId(), batchId, IntStream.range(0, d.taskIds().size())
          .mapToObj(n -> TaskPayloads.create(d.device().deviceId(), d.taskIds().get(n), n)).toList());
      return quiet.pushResponse(d.device(), quiet.encode(d.device(), body), options.requestTimeoutMs())
          .onSuccess(response -> ledger.acknowledge(d.org(), d.device().deviceId(), batchId, 1, d.taskIds(), response));
    }).toList()).await();
  }

  private ChaosFault fault(String name) {
    return switch (name) {
      case "idle-flood" -> new ChaosFault.IdleFlood(gateway.base(), options.idleConnections());
      case "slow-clients" -> new ChaosFault.SlowClients(gateway.base(), options.slowClients(),
          SimDevice.one(runId + "-slow", "s", tokens).token());
      case "max-bodies" -> maxBodies();
      case "flood-org" -> floodOrganization();
      case "db-stall" -> new ChaosFault.DatabaseStall(postgres);
      case "postmaster-kill" -> new ChaosFault.PostmasterKill(postgres);
      default -> throw new IllegalArgumentException("Unknown fault " + name);
    };
  }

  /** {@code bulk-parallel} devices, each sending its maximum-size body again as soon as it is answered. */
  private ChaosFault maxBodies() {
    String org = runId + "-bulk";
    log.println("Preparing " + options.bulkParallel() + " maximum-size bodies ...");
    List<String> descriptions = ChaosPayloads.incompressibleDescriptions(42);
    List<Supplier<Future<Outcome>>> senders = new ArrayList<>();
    long gzipBytes = 0;
    long jsonBytes = 0;
    for (SimDevice device : SimDevice.fleet(org, "b", options.bulkParallel(), tokens)) {
      List<String> ids = IntStream.range(0, ChaosPayloads.MAX_BODY_TASKS)
          .mapToObj(n -> TaskPayloads.taskId(device.deviceId(), n)).toList();
      String batchId = device.deviceId() + "-max";
      byte[] json = ChaosPayloads.maxSizeBody(device.deviceId(), batchId, ids, descriptions).toBuffer().getBytes();
      Buffer body = ChaosPayloads.gzipHuffman(json);
      gzipBytes = Math.max(gzipBytes, body.length());
      jsonBytes = Math.max(jsonBytes, json.length);
      senders.add(() -> faultClient.pushResponse(device, body, BULK_TIMEOUT_MS)
          .onSuccess(response -> ledger.acknowledge(org, device.deviceId(), batchId, 1, ids, response))
          .map(Outcome::ofPush));
    }
    return new ChaosFault.ClosedLoopFault("max-bodies", senders, BULK_TIMEOUT_MS + 5_000, new JsonObject()
        .put("gzipBytes", gzipBytes).put("decodedBytes", jsonBytes).put("tasksPerBody", ChaosPayloads.MAX_BODY_TASKS));
  }

  /** {@code flood-pushers} devices of one organization pushing new tasks declared priority 1, closed loop. */
  private ChaosFault floodOrganization() {
    String org = runId + "-flood";
    List<Supplier<Future<Outcome>>> senders = new ArrayList<>();
    for (SimDevice device : SimDevice.fleet(org, "f", options.floodPushers(), tokens)) {
      AtomicLong sequence = new AtomicLong();
      senders.add(() -> {
        String batchId = device.deviceId() + "-f" + sequence.incrementAndGet();
        List<String> ids = IntStream.range(0, options.floodBatch()).mapToObj(n -> batchId + "-t" + n).toList();
        Buffer body = faultClient.encode(device, ChaosPayloads.floodBatch(device.deviceId(), batchId, ids));
        return faultClient.pushResponse(device, body, options.requestTimeoutMs())
            .onSuccess(response -> ledger.acknowledge(org, device.deviceId(), batchId, 1, ids, response))
            .map(Outcome::ofPush);
      });
    }
    return new ChaosFault.ClosedLoopFault("flood-org", senders, options.requestTimeoutMs() + 5_000L,
        new JsonObject().put("batchSize", options.floodBatch()).put("declaredPriority", ChaosPayloads.FLOOD_PRIORITY));
  }

  /** Starts a fault at its window's start, stops it at the window's end; when it really began and ended. */
  private JsonObject inject(ChaosSchedule.Window window, ChaosFault fault) {
    sleepUntil(window.startMs());
    long startedMs = nowMs();
    log.printf("%7.1f s  fault %s%n", startedMs / 1000.0, window.fault());
    JsonObject details;
    long endedMs;
    synchronized (active) {
      active.add(fault);
    }
    try {
      fault.start();
      endedMs = fault.instantaneous() ? nowMs() : -1;
      sleepUntil(window.endMs());
    } finally {
      details = fault.stop();
      synchronized (active) {
        active.remove(fault);
      }
    }
    if (endedMs < 0) {
      endedMs = nowMs();
    }
    log.printf("%7.1f s  fault %s over: %s%n", endedMs / 1000.0, window.fault(), details.encode());
    return new JsonObject().put("fault", window.fault()).put("plannedStartMs", window.startMs())
        .put("plannedEndMs", window.endMs()).put("startedMs", startedMs).put("endedMs", endedMs)
        .put("details", details);
  }

  private OpenLoop.Request quietRequest(int i) {
    String window = schedule.windowAt((long) i * 1000 / options.rate());
    QuietDevice device = devices.get((i / 2) % devices.size());
    return i % 2 == 0 ? new OpenLoop.Request(quietPushes.get(window), () -> quietPush(device))
        : new OpenLoop.Request(quietPulls.get(window), () -> quietPull(device));
  }

  /** Title edits of one or two of the device's tasks, declared priority 2, each with the device's next counter. */
  private Future<Outcome> quietPush(QuietDevice d) {
    long sentMs = nowMs();
    long counter = d.counter().incrementAndGet();
    int size = d.taskIds().size();
    int first = (int) (counter % size);
    List<String> ids = size == 1 ? d.taskIds() : List.of(d.taskIds().get(first), d.taskIds().get((first + 1) % size));
    String deviceId = d.device().deviceId();
    String batchId = deviceId + "-e" + counter;
    Buffer body = quiet.encode(d.device(), ChaosPayloads.titleEdits(deviceId, batchId, counter, ids));
    return quiet.pushResponse(d.device(), body, options.requestTimeoutMs())
        .onSuccess(response -> {
          ledger.acknowledge(d.org(), deviceId, batchId, counter, ids, response);
          successes.add(new ChaosSchedule.Success(sentMs, nowMs()));
        })
        .map(Outcome::ofPush);
  }

  private Future<Outcome> quietPull(QuietDevice d) {
    return quiet.pullResponse(d.device(), 100, d.cursor().get())
        .onSuccess(page -> d.cursor().set(page.getString("cursor")))
        .map(page -> Outcome.of(Page.of(page).entities()));
  }

  private void probeHealth() {
    String window = schedule.windowAt(nowMs());
    for (String path : List.of(ChaosReport.LIVE, ChaosReport.READY)) {
      probes.get(path).timeout(PROBE_TIMEOUT_MS).send().onComplete(answer -> health
          .computeIfAbsent(window, w -> new ConcurrentHashMap<>())
          .computeIfAbsent(path, p -> new ConcurrentHashMap<>())
          .merge(answer.succeeded() ? String.valueOf(answer.result().statusCode()) : ChaosReport.NO_ANSWER, 1L,
              Long::sum));
    }
  }

  /** Quiet pushes one after another, every 500 ms, until one succeeds or the recovery time is over. */
  private boolean recoveryWait() {
    long deadline = nowMs() + options.recoverySeconds() * 1000L;
    Measurement measurement = quietPushes.get(ChaosSchedule.RECOVERY);
    while (nowMs() < deadline) {
      long sent = System.nanoTime();
      Future<Outcome> answer = quietPush(devices.get(0));
      awaitQuietly(answer);
      measurement.record(answer, System.nanoTime() - sent);
      if (answer.succeeded()) {
        return true;
      }
      sleep(500);
    }
    return false;
  }

  /**
   * Pulls every organization that has acknowledged writes from the beginning with a new device and
   * checks each acknowledged write against it. An organization that cannot be read completely (the
   * gateway did not recover) is reported as not verified, never as nothing lost.
   */
  private JsonObject audit(boolean recovered) {
    JsonObject byOrganization = new JsonObject();
    long lost = 0;
    long unverified = 0;
    long checked = 0;
    for (String org : new TreeSet<>(ledger.organizations())) {
      SimDevice auditor = SimDevice.one(org, "auditor", tokens);
      int limit = org.endsWith("-bulk") ? BULK_AUDIT_PAGE : AUDIT_PAGE;
      Map<String, JsonObject> stored = new HashMap<>();
      String cursor = null;
      boolean complete = false;
      int failures = 0;
      long deadline = nowMs() + AUDIT_DEADLINE_MS;
      while (nowMs() < deadline && failures < (recovered ? 5 : 1)) {
        Future<JsonObject> answer = quiet.pullResponse(auditor, limit, cursor);
        awaitQuietly(answer);
        if (answer.failed()) {
          failures++;
          sleep(1_000);
          continue;
        }
        JsonObject page = answer.result();
        page.getJsonArray("tasks").forEach(task -> stored.put(((JsonObject) task).getString("id"),
            ((JsonObject) task).getJsonObject("vectorClock")));
        cursor = page.getString("cursor");
        if (!page.getBoolean("hasMore")) {
          complete = true;
          break;
        }
      }
      int checks = ledger.checks(org);
      if (complete) {
        List<String> missing = ledger.lost(org, stored);
        lost += missing.size();
        checked += checks;
        byOrganization.put(org, new JsonObject().put("checked", checks).put("lost", missing.size())
            .put("examples", new JsonArray(missing.subList(0, Math.min(10, missing.size())))));
      } else {
        unverified += checks;
        byOrganization.put(org, new JsonObject().put("checked", 0).put("unverified", checks));
      }
    }
    return new JsonObject().put("writes", ledger.writes()).put("batches", ledger.batches()).put("checked", checked)
        .put("lost", checked == 0 && unverified > 0 ? null : lost).put("unverified", unverified)
        .put("byOrganization", byOrganization);
  }

  private JsonObject results(Map<String, ChaosFault> faults, JsonArray faultResults, JsonObject writes) {
    List<ChaosSchedule.Success> answered = List.copyOf(successes);
    Map<String, JsonObject> planned = new HashMap<>();
    for (Object item : faultResults) {
      JsonObject fault = (JsonObject) item;
      planned.put(fault.getString("fault"), fault);
      fault.put("recoveryMs", ChaosSchedule.recoveryMillis(answered, fault.getLong("endedMs")));
      fault.put("health", ChaosReport.health(health.getOrDefault(fault.getString("fault"), Map.of())));
    }
    JsonArray windows = new JsonArray();
    List<Measurement> everything = new ArrayList<>();
    for (String name : schedule.windowNames()) {
      List<Measurement> measured = new ArrayList<>(List.of(quietPushes.get(name), quietPulls.get(name)));
      ChaosFault fault = faults.get(name);
      Measurement sent = fault == null ? null : fault.requests();
      if (sent != null) {
        measured.add(sent);
      }
      everything.addAll(measured);
      JsonObject window = new JsonObject().put("window", name);
      if (planned.containsKey(name)) {
        window.put("fromMs", planned.get(name).getLong("startedMs")).put("toMs", planned.get(name).getLong("endedMs"));
      }
      window.put("requests", ChaosReport.totals(measured))
          .put("quietPush", ChaosReport.requests(quietPushes.get(name)))
          .put("quietPull", ChaosReport.requests(quietPulls.get(name)));
      if (sent != null) {
        window.put("faultRequests", ChaosReport.requests(sent));
      }
      windows.add(window.put("health", ChaosReport.health(health.getOrDefault(name, Map.of()))));
    }
    JsonObject overall = new JsonObject().put("requests", ChaosReport.totals(everything))
        .put("quietPush", ChaosReport.requests(ChaosReport.merged("overall", "quiet-push",
            List.copyOf(quietPushes.values()))))
        .put("quietPull", ChaosReport.requests(ChaosReport.merged("overall", "quiet-pull",
            List.copyOf(quietPulls.values()))));
    long ooms = outOfMemoryErrors();
    return new JsonObject()
        .put("options", options())
        .put("windows", windows)
        .put("overall", overall)
        .put("faults", faultResults)
        .put("acknowledgedWrites", writes)
        .put("outOfMemoryErrors", ooms)
        .put("gatewayAliveAtEnd", gateway.alive())
        .put("gatewayLog", gatewayLog.toString())
        .put("verdict", ChaosReport.verdict(ooms, writes, faultResults));
  }

  private long outOfMemoryErrors() {
    try {
      return ChaosReport.outOfMemoryErrors(Files.readString(gatewayLog));
    } catch (IOException | UncheckedIOException e) {
      log.println("Cannot read the gateway's log " + gatewayLog + ": " + e.getMessage());
      return -1;
    }
  }

  private JsonObject options() {
    ChaosOptions o = options;
    return new JsonObject().put("seconds", o.seconds()).put("rate", o.rate()).put("quietOrgs", o.quietOrgs())
        .put("quietDevices", o.quietDevices()).put("quietTasks", o.quietTasks()).put("floodPushers", o.floodPushers())
        .put("floodBatch", o.floodBatch()).put("idleConnections", o.idleConnections())
        .put("slowClients", o.slowClients()).put("bulkParallel", o.bulkParallel()).put("stallSeconds", o.stallSeconds())
        .put("faults", new JsonArray(o.faults())).put("recoverySeconds", o.recoverySeconds())
        .put("requestTimeoutMs", o.requestTimeoutMs()).put("gatewayHeap", o.gatewayHeap())
        .put("gatewayJvmArgs", new JsonArray(o.gatewayJvmArgs()))
        .put("processors", Runtime.getRuntime().availableProcessors());
  }

  private long nowMs() {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }

  private void sleepUntil(long ms) {
    long wait = ms - nowMs();
    if (wait > 0) {
      sleep(wait);
    }
  }

  private static void awaitQuietly(Future<?> future) {
    try {
      future.await();
    } catch (Exception failed) {
      // the future holds the failure
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void join(Thread thread, long millis) {
    try {
      thread.join(Math.max(1, millis));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Ends any fault still active (the database is never left stopped), stops the gateway, deletes the data. */
  @Override
  public void close() {
    List<ChaosFault> leftover;
    synchronized (active) {
      leftover = List.copyOf(active);
    }
    leftover.forEach(ChaosFault::stop);
    ChaosPostgres.signal("CONT", postgres.processes());
    try {
      quiet.close();
      faultClient.close();
      probes.close();
      gateway.close();
      vertx.close().await();
    } finally {
      deleteQuietly(workDir.resolve("data"));
      log.println("Gateway log kept in " + gatewayLog);
    }
  }

  private static void deleteQuietly(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // a temporary directory: left for the system to clean
    }
  }
}
