package io.syncgateway.bus;

import io.vertx.core.Vertx;
import java.util.List;

/** Registers the codec of every message record, once per Vert.x instance (each verticle asks at start). */
public final class BusCodecs {
  private static final String REGISTERED = "sync.bus.codecs";

  private static final List<RecordCodec<?>> CODECS = List.of(
      new RecordCodec<>(PushRequest.class, PushRequest::toJson, PushRequest::fromJson),
      new RecordCodec<>(PreparedPush.class, PreparedPush::toJson, PreparedPush::fromJson),
      new RecordCodec<>(DecidedPush.class, DecidedPush::toJson, DecidedPush::fromJson),
      new RecordCodec<>(PushResult.class, PushResult::toJson, PushResult::fromJson),
      new RecordCodec<>(PullRequest.class, PullRequest::toJson, PullRequest::fromJson),
      new RecordCodec<>(DeviceListQuery.class, DeviceListQuery::toJson, DeviceListQuery::fromJson),
      new RecordCodec<>(ResyncOrder.class, ResyncOrder::toJson, ResyncOrder::fromJson),
      new RecordCodec<>(SyncLogQuery.class, SyncLogQuery::toJson, SyncLogQuery::fromJson),
      new RecordCodec<>(OutcomeStatsQuery.class, OutcomeStatsQuery::toJson, OutcomeStatsQuery::fromJson));

  private BusCodecs() {}

  public static void register(Vertx vertx) {
    if (vertx.sharedData().getLocalMap(REGISTERED).putIfAbsent("done", Boolean.TRUE) == null) {
      CODECS.forEach(codec -> registerDefault(vertx, codec));
    }
  }

  private static <T> void registerDefault(Vertx vertx, RecordCodec<T> codec) {
    vertx.eventBus().registerDefaultCodec(codec.type(), codec);
  }

  static List<RecordCodec<?>> codecs() {
    return CODECS;
  }

  /** The message types that have a codec: documented in docs/architecture.md (checked by a test). */
  public static List<Class<?>> messageTypes() {
    return CODECS.stream().<Class<?>>map(RecordCodec::type).toList();
  }
}
