package io.syncgateway.bus;

import static org.assertj.core.api.Assertions.assertThat;

import io.syncgateway.auth.Principal;
import io.syncgateway.auth.Role;
import io.syncgateway.batch.BatchPreparer;
import io.syncgateway.batch.PreparedBatch;
import io.syncgateway.entity.EntityRow;
import io.syncgateway.entity.EntityType;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Message records cross a JVM boundary as JSON and come back equal; inside the JVM they are not copied. */
@DisplayName("Event-bus message codecs")
class RecordCodecTest {
  private static final Principal ALICE = new Principal("alice", "org-1", Role.MEMBER);
  private static final Principal CAROL = new Principal("carol", "org-1", Role.ADMIN);
  private static final PreparedBatch BATCH = new BatchPreparer(500).prepare(ALICE, null, new JsonObject()
      .put("deviceId", "d1").put("batchId", "b1").put("vectorClock", new JsonObject().put("d1", 3))
      .put("changes", new JsonObject().put("task", new JsonArray()
          .add(new JsonObject().put("id", "t1").put("title", "T").put("vectorClock", new JsonObject().put("d1", 3)))
          .add(new JsonObject().put("id", "bad id").put("vectorClock", new JsonObject().put("d1", 1))))));

  private static <T> T acrossTheWire(RecordCodec<T> codec, T message) {
    Buffer wire = Buffer.buffer().appendString("prefix");
    codec.encodeToWire(wire, message);
    return codec.decodeFromWire("prefix".length(), wire);
  }

  @SuppressWarnings("unchecked")
  private static <T> RecordCodec<T> codecOf(Class<T> type) {
    return (RecordCodec<T>) BusCodecs.codecs().stream().filter(codec -> codec.type() == type).findFirst().orElseThrow();
  }

  @Test
  @DisplayName("every message survives the trip as JSON, field for field")
  void everyMessageRoundTrips() {
    EntityRow written = new EntityRow(EntityType.TASK, "t1", new JsonObject().put("title", "T"),
        BATCH.items().get(0).clock(), 1, 5L, "alice", 5L, "alice", "d1", null, null, null, "sum");
    JsonObject response = new JsonObject().put("success", true).put("processed", 1);
    List<Object> messages = List.of(
        new PushRequest(ALICE, "d1", "gzip", Buffer.buffer(new byte[] {1, 2, 3, 0, -1})),
        new PreparedPush(ALICE, BATCH),
        new DecidedPush(ALICE, BATCH, 5L, List.of(written), List.of(0L), response, 1, 0),
        new PushResult("d1", response, 1, 0, false),
        new PullRequest(ALICE, "d1", null, 1234L, 100L, 50, EnumSet.of(EntityType.TASK, EntityType.COMMENT)),
        new DeviceListQuery(CAROL, 100),
        new ResyncOrder(CAROL, "d1"),
        new SyncLogQuery(CAROL, "d1", null, "push", 20),
        new OutcomeStatsQuery(CAROL, 86_400_000L));

    assertThat(messages).extracting(Object::getClass).containsExactlyInAnyOrderElementsOf(BusCodecs.messageTypes());
    for (Object message : messages) {
      assertThat(roundTrip(message)).as(message.getClass().getSimpleName()).isEqualTo(message);
    }
  }

  @SuppressWarnings("unchecked")
  private static <T> T roundTrip(T message) {
    return acrossTheWire(codecOf((Class<T>) message.getClass()), message);
  }

  @Test
  @DisplayName("inside the JVM a message is handed on as it is, not copied")
  void localDeliveryIsByReference() {
    PreparedPush push = new PreparedPush(ALICE, BATCH);

    assertThat(codecOf(PreparedPush.class).transform(push)).isSameAs(push);
  }
}
