package io.syncgateway.conflict;

import io.syncgateway.bridge.ValidationHook;
import io.syncgateway.bus.Addresses;
import io.syncgateway.bus.BusCodecs;
import io.syncgateway.bus.BusErrors;
import io.syncgateway.bus.DecidedPush;
import io.syncgateway.bus.ErrorCode;
import io.syncgateway.bus.GatewayException;
import io.syncgateway.bus.PreparedPush;
import io.syncgateway.bus.PushResult;
import io.syncgateway.bus.Replies;
import io.syncgateway.config.GatewayConfig;
import io.syncgateway.config.Setting;
import io.syncgateway.entity.StoredState;
import io.syncgateway.metrics.SyncMetrics;
import io.syncgateway.batch.PreparedBatch;
import io.syncgateway.persistence.ActivityLog;
import io.syncgateway.persistence.Database;
import io.syncgateway.persistence.PushOutcomes;
import io.syncgateway.persistence.StoredStateReader;
import io.syncgateway.admission.Admission;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Conflict detection ({@value Addresses#PUSH_DECIDE}): reads the stored states a batch names, decides
 * every item by vector clock, and hands the result to persistence to commit. Holds nothing across
 * that hop: the commit is conditional on the versions read here, and a push that lost a race is read
 * and decided again. Only the reads go through the database's circuit breaker; a decision that fails
 * is a 500 for its push and never counts against the database.
 */
public class ConflictVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ConflictVerticle.class);

  private Database database;
  private StoredStateReader reader;
  private SyncMetrics metrics;
  private DeliveryOptions commitOptions;
  private int attempts;
  private ValidationHook validation;

  @Override
  public Future<?> start() {
    BusCodecs.register(vertx);
    GatewayConfig config = GatewayConfig.from(config());
    metrics = SyncMetrics.of(config.string(Setting.METRICS_REGISTRY));
    database = Database.open(vertx, config, metrics);
    reader = new StoredStateReader(database.pool(), database.bindings());
    commitOptions = new DeliveryOptions().setSendTimeout(config.number(Setting.BUS_TIMEOUT_MS));
    attempts = config.integer(Setting.PUSH_DECIDE_ATTEMPTS);
    validation = ValidationHook.fromConfig(vertx, config, metrics);
    return vertx.eventBus().<PreparedPush>consumer(Addresses.PUSH_DECIDE, Replies.replying(this::handle)).completion();
  }

  @Override
  public Future<?> stop() {
    return database.close();
  }

  private Future<PushResult> handle(PreparedPush push) {
    long startedAt = System.nanoTime();
    // The external validator (if any) is asked before the read: nothing is held while it answers.
    return validation.screen(push).compose(screened -> decideAndCommit(screened, 1)).onSuccess(result -> {
      metrics.pushed(push.batch(), result.response(), result.replayed(), result.applied(), result.acknowledged());
      logPush(push, result, (int) ((System.nanoTime() - startedAt) / 1_000_000));
    });
  }

  /** The device's visit and the sync log row, written in the background. */
  private void logPush(PreparedPush push, PushResult result, int durationMs) {
    long now = System.currentTimeMillis();
    PreparedBatch batch = push.batch();
    JsonObject response = result.response();
    database.activity().deviceSeen(batch.deviceId(), "push", now, batch.deviceClock());
    database.activity().sync(new ActivityLog.SyncLogEntry(push.principal().orgId(), batch.deviceId(),
        push.principal().userId(), "push", batch.batchId(), batch.itemCount(), 0, result.applied(),
        result.acknowledged(), response.getJsonArray("superseded").size(), response.getJsonArray("conflicts").size(),
        response.getJsonArray("rejected").size(), result.replayed() ? "replayed" : "success", durationMs, now,
        // A replay repeats a recorded answer: its conflicts and rejections were counted the first time.
        result.replayed() ? null : PushOutcomes.of(response)));
  }

  private Future<PushResult> decideAndCommit(PreparedPush push, int attempt) {
    return read(push).compose(state -> state.isReplay()
            ? Future.succeededFuture(new PushResult(push.batch().deviceId(), state.recordedResponse(), 0, 0, true))
            : commit(decide(push, state)))
        .recover(error -> {
          if (BusErrors.asGatewayException(error).code() != ErrorCode.STALE) {
            return Future.failedFuture(error);
          }
          metrics.pushRedecided();
          return attempt < attempts ? decideAndCommit(push, attempt + 1) : Future.failedFuture(
              new GatewayException(ErrorCode.OVERLOADED, "Other pushes keep changing these entities; retry later"));
        });
  }

  private Future<StoredState> read(PreparedPush push) {
    return database.reads().submit(push.principal().orgId(), Admission.LEAST_URGENT,
        () -> database.guarded(() -> reader.read(push.principal(), push.batch())));
  }

  private DecidedPush decide(PreparedPush push, StoredState state) {
    try {
      return decision(push, state);
    } catch (RuntimeException e) {
      metrics.decisionFailed();
      LOG.error("Deciding a push of device {} failed", push.batch().deviceId(), e);
      throw new GatewayException(ErrorCode.INTERNAL, "The push could not be decided");
    }
  }

  /** The decision itself: pure, by vector clock (see {@link BatchDecider}). */
  protected DecidedPush decision(PreparedPush push, StoredState state) {
    return PushDecisions.decide(push.principal(), push.batch(), state);
  }

  /** A commit that did not answer in time may still happen: its outcome is unknown, not "nothing applied". */
  private Future<PushResult> commit(DecidedPush decided) {
    return vertx.eventBus().<PushResult>request(Addresses.PUSH_COMMIT, decided, commitOptions)
        .map(Message::body)
        .recover(BusErrors::timeoutLeavesPushOutcomeUnknown);
  }
}
