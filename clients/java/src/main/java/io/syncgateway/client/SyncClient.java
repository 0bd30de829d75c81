package io.syncgateway.client;

import io.syncgateway.client.auth.Credentials;
import io.syncgateway.client.conflict.ConflictResolver;
import io.syncgateway.client.conflict.Resolution;
import io.syncgateway.client.live.Backoff;
import io.syncgateway.client.live.HttpEventStream;
import io.syncgateway.client.live.LiveUpdates;
import io.syncgateway.client.store.Conflict;
import io.syncgateway.client.store.LocalEntity;
import io.syncgateway.client.store.LocalStore;
import io.syncgateway.client.store.QueueItem;
import io.syncgateway.client.sync.ClientCircuitBreaker;
import io.syncgateway.client.sync.ConflictResolutions;
import io.syncgateway.client.sync.DeviceClock;
import io.syncgateway.client.sync.FailedChanges;
import io.syncgateway.client.sync.GatewayApi;
import io.syncgateway.client.sync.LocalChanges;
import io.syncgateway.client.sync.RemoteChanges;
import io.syncgateway.client.sync.ServerCopies;
import io.syncgateway.client.sync.StoreRunner;
import io.syncgateway.client.sync.SyncEngine;
import io.syncgateway.client.sync.SyncQueue;
import io.syncgateway.client.sync.SyncTriggers;
import io.syncgateway.client.time.Scheduler;
import io.syncgateway.client.time.VertxScheduler;
import io.syncgateway.entity.EntityType;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The client SDK: a device's local store kept in sync with a gateway. Local writes are immediate
 * and durable; syncing happens in the background by triggers ({@link #start()}) or on demand
 * ({@link #syncNow()}); while started and online it also subscribes to the gateway's live updates
 * and pulls as soon as other devices' changes are announced. Every method returns a future; store
 * work runs off the event loop.
 */
public final class SyncClient implements AutoCloseable {
  static final String DEVICE_ID = "deviceId";

  private final LocalStore store;
  private final HttpClient transport;
  private final WebClient http;
  private final Scheduler scheduler;
  private final StoreRunner runner;
  private final DeviceClock device;
  private final SyncQueue queue;
  private final LocalChanges changes;
  private final RemoteChanges remote;
  private final ConflictResolutions resolutions;
  private final FailedChanges failures;
  private final ServerCopies serverCopies;
  private final GatewayApi api;
  private final SyncEngine engine;
  private final SyncTriggers triggers;
  private final LiveUpdates live;
  private final SyncClientOptions options;
  private final SyncMonitor monitor = new SyncMonitor();
  private final List<Consumer<SyncEvent>> listeners = new CopyOnWriteArrayList<>();
  private final List<ChangeListener> changeListeners = new CopyOnWriteArrayList<>();

  private SyncClient(Vertx vertx, Context context, LocalStore store, String deviceId, SyncClientOptions options,
      Scheduler scheduler) {
    this.store = store;
    this.scheduler = scheduler;
    this.options = options;
    // One HTTP client for requests and the live-updates stream. Its idle timeout (30 s) also
    // notices a dead stream, as the gateway pings at least every 15 s.
    WebClientOptions httpOptions = new WebClientOptions().setDecompressionSupported(true)
        .setKeepAlive(options.keepAlive()).setConnectTimeout(10_000).setIdleTimeout(30);
    this.transport = vertx.createHttpClient(httpOptions);
    this.http = WebClient.wrap(transport, httpOptions);
    this.runner = new StoreRunner(context, store, this::publish);
    this.device = new DeviceClock(store, deviceId);
    this.queue = new SyncQueue(store, options.maxRetries(), options.backoffBaseMs(), options.backoffCapMs());
    this.changes = new LocalChanges(store, queue, device);
    this.remote = new RemoteChanges(store, queue);
    this.resolutions = new ConflictResolutions(store, changes);
    // One current token for requests and the live stream: a renewal by either serves both.
    Credentials credentials = new Credentials(options.tokens(), scheduler, options.tokenRefreshMarginMs());
    this.api = new GatewayApi(http, options, scheduler,
        new ClientCircuitBreaker(scheduler, options.breakerThreshold(), options.breakerResetMs()), credentials,
        this::publish);
    this.engine = new SyncEngine(runner, store, queue, remote, device, api, options, scheduler, monitor,
        this::publish, this::publishChanges);
    this.failures = new FailedChanges(store, queue);
    this.serverCopies = new ServerCopies(api);
    this.triggers = new SyncTriggers(scheduler, engine::requestSync, options.periodicMs(), options.debounceMs());
    this.live = new LiveUpdates(new HttpEventStream(transport, options.baseUrl(), credentials, deviceId),
        scheduler, new Backoff(options.liveBackoffBaseMs(), options.liveBackoffCapMs(),
            () -> ThreadLocalRandom.current().nextDouble()), triggers::remoteChange, this::publish);
  }

  /** Opens a client on a store; the device id is made up on first use and kept in the store. */
  public static Future<SyncClient> open(Vertx vertx, LocalStore store, SyncClientOptions options) {
    return open(vertx, store, options, new VertxScheduler(vertx));
  }

  public static Future<SyncClient> open(Vertx vertx, LocalStore store, SyncClientOptions options,
      Scheduler scheduler) {
    Context context = vertx.getOrCreateContext();
    return context.executeBlocking(() -> store.transaction(() -> store.meta(DEVICE_ID).orElseGet(() -> {
      String id = "device-" + UUID.randomUUID();
      store.putMeta(DEVICE_ID, id);
      return id;
    }))).map(deviceId -> new SyncClient(vertx, context, store, deviceId, options, scheduler));
  }

  public String deviceId() {
    return device.deviceId();
  }

  // ---- local changes

  /** Creates an entity; {@code fields.id} names it, else a UUID does. */
  public Future<LocalEntity> create(EntityType type, JsonObject fields) {
    JsonObject domain = fields.copy();
    String id = domain.containsKey("id") ? (String) domain.remove("id") : UUID.randomUUID().toString();
    return local(events -> changes.create(type, id, domain, scheduler.now()));
  }

  /** Changes the given fields; a null value clears one. */
  public Future<LocalEntity> update(EntityType type, String id, JsonObject fieldChanges) {
    return local(events -> changes.update(type, id, fieldChanges, scheduler.now()));
  }

  public Future<LocalEntity> delete(EntityType type, String id) {
    return local(events -> changes.delete(type, id, scheduler.now()));
  }

  private Future<LocalEntity> local(Function<List<SyncEvent>, LocalEntity> write) {
    return runner.tx(write).onSuccess(written -> triggers.localChange());
  }

  // ---- reading

  public Future<Optional<LocalEntity>> get(EntityType type, String id) {
    return runner.tx(events -> store.entity(type, id).filter(e -> !e.deleted()));
  }

  /** Live entities of a type, by id. */
  public Future<List<LocalEntity>> list(EntityType type) {
    return runner.tx(events -> store.entities(type).stream().filter(e -> !e.deleted()).toList());
  }

  /** Every entity of a type, tombstones included. */
  public Future<List<LocalEntity>> listAll(EntityType type) {
    return runner.tx(events -> store.entities(type));
  }

  public Future<List<QueueItem>> pendingItems() {
    return runner.tx(events -> queue.pendingItems());
  }

  public Future<List<QueueItem>> failedItems() {
    return runner.tx(events -> queue.failed());
  }

  /** Puts a failed item back in the queue. */
  public Future<Boolean> requeue(long seq) {
    return runner.tx(events -> failures.requeue(seq, scheduler.now())).onSuccess(done -> triggers.localChange());
  }

  /**
   * Retries the entity's refused change, as edited since (writes to an entity whose change failed
   * amend that change and wait for this call). Fails when the entity has no failed change.
   */
  public Future<QueueItem> retry(EntityType type, String id) {
    return runner.tx(events -> failures.retry(type, id, scheduler.now())).onSuccess(done -> triggers.localChange());
  }

  /**
   * Gives up the entity's refused change: the local copy goes back to the server's current state
   * (fetched from the gateway), or is removed when the server has none. Returns the restored entity.
   */
  public Future<Optional<LocalEntity>> discard(EntityType type, String id) {
    return runner.tx(events -> {
      failures.failedItem(type, id);
      return store.entity(type, id).orElseThrow();
    }).compose(serverCopies::of)
        .compose(server -> runner.tx(events -> failures.discard(type, id, server, events)));
  }

  // ---- conflicts

  public Future<List<Conflict>> conflicts() {
    return runner.tx(events -> store.conflicts());
  }

  /** Settles a conflict with the given state; it is queued with a clock dominating both versions. */
  public Future<LocalEntity> resolve(EntityType type, String id, Resolution resolution) {
    return runner.tx(events -> resolutions.resolve(type, id, resolution, scheduler.now(), events))
        .onSuccess(done -> triggers.localChange());
  }

  public Future<LocalEntity> resolve(EntityType type, String id, ConflictResolver resolver) {
    return runner.tx(events -> resolutions.resolve(type, id, resolver, scheduler.now(), events))
        .onSuccess(done -> triggers.localChange());
  }

  /** Resolves every open conflict with {@code resolver}; returns how many. */
  public Future<Integer> resolveAll(ConflictResolver resolver) {
    return runner.tx(events -> resolutions.resolveAll(resolver, scheduler.now(), events))
        .onSuccess(resolved -> {
          if (resolved > 0) {
            triggers.localChange();
          }
        });
  }

  // ---- syncing

  /** Syncs now (or right after the running cycle); the result says whether it succeeded. */
  public Future<SyncResult> syncNow() {
    return engine.requestSync();
  }

  /**
   * Starts the triggers: a sync now, then periodic, debounced and connectivity-driven ones, and (if
   * {@link SyncClientOptions#liveUpdates()}) the live-updates subscription.
   */
  public void start() {
    triggers.start();
    followLiveUpdates();
  }

  /** Stops every trigger and the live-updates subscription; {@link #syncNow()} still works. */
  public void stop() {
    triggers.stop();
    followLiveUpdates();
  }

  /** Tells the client whether the network is there; coming back online triggers a sync. */
  public void setOnline(boolean online) {
    api.setOnline(online);
    triggers.connectivityChanged(online);
    followLiveUpdates();
  }

  /** Subscribed exactly while started, online and enabled. */
  private void followLiveUpdates() {
    if (options.liveUpdates() && triggers.isStarted() && api.isOnline()) {
      live.start();
    } else {
      live.stop();
    }
  }

  /** Whether remote changes currently arrive live, or by periodic syncs only. */
  public LiveUpdates.State liveUpdatesState() {
    return live.state();
  }

  public void appForegrounded() {
    triggers.foreground();
  }

  public boolean isSyncing() {
    return engine.isSyncing();
  }

  public ClientCircuitBreaker.State breakerState() {
    return api.breaker().state();
  }

  /** Server time after which this device needs a full resync unless it pulls before, or -1. */
  public Future<Long> retentionDeadline() {
    return engine.retentionDeadline();
  }

  /** Fetches a task's comments into the store (for offline reading). */
  public Future<Integer> prefetchComments(String taskId) {
    return api.get("/api/tasks/" + taskId + "/comments").compose(answer -> runner.tx(events -> {
      JsonArray comments = answer.body().getJsonArray("comments", new JsonArray());
      for (int i = 0; i < comments.size(); i++) {
        remote.apply(RemoteChanges.RemoteState.ofServerEntity(EntityType.COMMENT, comments.getJsonObject(i)),
            scheduler.now(), events);
      }
      return comments.size();
    }));
  }

  // ---- observing

  public SyncMonitor monitor() {
    return monitor;
  }

  public void onEvent(Consumer<SyncEvent> listener) {
    listeners.add(listener);
  }

  private void publish(SyncEvent event) {
    listeners.forEach(listener -> listener.accept(event));
  }

  /**
   * Adds a listener told which entities each pull changed; see {@link ChangeListener}. It runs on
   * the client's Vert.x context: it must not block (read with {@code get(…).onSuccess(…)}).
   */
  public void onChange(ChangeListener listener) {
    changeListeners.add(listener);
  }

  private void publishChanges(EntityType type, Set<String> ids) {
    Set<String> changed = Collections.unmodifiableSet(new LinkedHashSet<>(ids));
    changeListeners.forEach(listener -> listener.onChange(type, changed));
  }

  @Override
  public void close() {
    stop();
    http.close();
    transport.close();
    store.close();
  }
}
