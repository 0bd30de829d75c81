package io.syncgateway.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.syncgateway.auth.Principal;
import io.syncgateway.auth.Role;
import io.syncgateway.bus.ErrorCode;
import io.syncgateway.bus.GatewayException;
import io.syncgateway.entity.EntityType;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The push envelope of PROTOCOL.md §3 and Appendix A rules 9 and 15: a bad envelope fails the request. */
@DisplayName("BatchPreparer (envelope)")
class BatchPreparerTest {
  static final Principal ALICE = new Principal("alice", "org-1", Role.MEMBER);
  private static final int MAX_ITEMS = 3;

  private final BatchPreparer preparer = new BatchPreparer(MAX_ITEMS);

  static JsonObject task(String id) {
    return new JsonObject().put("id", id).put("title", "Task " + id)
        .put("vectorClock", new JsonObject().put("dev-a", 1));
  }

  private static JsonObject envelope(JsonObject changes) {
    return new JsonObject().put("deviceId", "dev-a").put("changes", changes);
  }

  private static JsonObject oneTask() {
    return envelope(new JsonObject().put("task", new JsonArray().add(task("t1"))));
  }

  private PreparedBatch prepare(JsonObject body) {
    return preparer.prepare(ALICE, null, body);
  }

  private ErrorCode failure(JsonObject body, String header) {
    GatewayException e = catchThrowableOfType(GatewayException.class, () -> preparer.prepare(ALICE, header, body));
    assertThat(e).as("a GatewayException").isNotNull();
    return e.code();
  }

  private ErrorCode failure(JsonObject body) {
    return failure(body, null);
  }

  private static JsonObject clockOfSize(int entries, Object value) {
    JsonObject clock = new JsonObject();
    for (int i = 0; i < entries; i++) {
      clock.put("d" + i, value);
    }
    return clock;
  }

  @Nested
  @DisplayName("changes")
  class Changes {

    @Test
    @DisplayName("missing → invalid_request")
    void missingChanges() {
      assertThat(failure(new JsonObject().put("deviceId", "dev-a"))).isEqualTo(ErrorCode.INVALID_REQUEST);
    }

    @Test
    @DisplayName("null → invalid_request")
    void nullChanges() {
      assertThat(failure(new JsonObject().put("deviceId", "dev-a").putNull("changes")))
          .isEqualTo(ErrorCode.INVALID_REQUEST);
    }

    @Test
    @DisplayName("an array instead of an object → invalid_request")
    void changesArray() {
      assertThat(failure(new JsonObject().put("deviceId", "dev-a").put("changes", new JsonArray().add(task("t1")))))
          .isEqualTo(ErrorCode.INVALID_REQUEST);
    }

    @Test
    @DisplayName("a string instead of an object → invalid_request")
    void changesString() {
      assertThat(failure(new JsonObject().put("deviceId", "dev-a").put("changes", "task")))
          .isEqualTo(ErrorCode.INVALID_REQUEST);
    }

    @Test
    @DisplayName("a type whose value is not an array → invalid_request")
    void typeNotArray() {
      assertThat(failure(envelope(new JsonObject().put("task", task("t1"))))).isEqualTo(ErrorCode.INVALID_REQUEST);
    }

    @Test
    @DisplayName("an array holding a non-object → invalid_request, even next to valid items")
    void arrayOfNonObjects() {
      assertThat(failure(envelope(new JsonObject().put("task", new JsonArray().add(task("t1")).add("t2")))))
          .isEqualTo(ErrorCode.INVALID_REQUEST);
      assertThat(failure(envelope(new JsonObject().put("task", new JsonArray().add(42)))))
          .isEqualTo(ErrorCode.INVALID_REQUEST);
      assertThat(failure(envelope(new JsonObject().put("task", new JsonArray().addNull()))))
          .isEqualTo(ErrorCode.INVALID_REQUEST);
      assertThat(failure(envelope(new JsonObject().put("task", new JsonArray().add(new JsonArray())))))
          .isEqualTo(ErrorCode.INVALID_REQUEST);
    }

    @Test
    @DisplayName("an unknown entity type key → unknown_entity_type")
    void unknownType() {
      assertThat(failure(envelope(new JsonObject().put("project", new JsonArray()))))
          .isEqualTo(ErrorCode.UNKNOWN_ENTITY_TYPE);
    }

    @Test
    @DisplayName("type keys are case-sensitive ('Task' is unknown)")
    void typeKeysCaseSensitive() {
      assertThat(failure(envelope(new JsonObject().put("Task", new JsonArray()))))
          .isEqualTo(ErrorCode.UNKNOWN_ENTITY_TYPE);
    }

    @Test
    @DisplayName("plural keys are synonyms of the singular ones")
    void pluralKeysAccepted() {
      JsonObject comment = new JsonObject().put("id", "c1").put("taskId", "t1").put("content", "hi")
          .put("vectorClock", new JsonObject().put("dev-a", 1));
      JsonObject attachment = new JsonObject().put("id", "a1").put("taskId", "t1").put("filename", "f.png")
          .put("vectorClock", new JsonObject().put("dev-a", 1));
      PreparedBatch batch = prepare(envelope(new JsonObject()
          .put("tasks", new JsonArray().add(task("t1")))
          .put("comments", new JsonArray().add(comment))
          .put("attachments", new JsonArray().add(attachment))));

      assertThat(batch.rejected()).isEmpty();
      assertThat(batch.items()).extracting(PushItem::type)
          .containsExactly(EntityType.TASK, EntityType.COMMENT, EntityType.ATTACHMENT);
    }

    @Test
    @DisplayName("an empty object is a valid empty batch")
    void emptyChanges() {
      PreparedBatch batch = prepare(envelope(new JsonObject()));

      assertThat(batch.items()).isEmpty();
      assertThat(batch.rejected()).isEmpty();
      assertThat(batch.itemCount()).isZero();
    }

    @Test
    @DisplayName("empty arrays are valid")
    void emptyArrays() {
      assertThat(prepare(envelope(new JsonObject().put("task", new JsonArray()))).itemCount()).isZero();
    }

    @Test
    @DisplayName("exactly the item limit is accepted")
    void atItemLimit() {
      PreparedBatch batch = prepare(envelope(new JsonObject()
          .put("task", new JsonArray().add(task("t1")).add(task("t2")))
          .put("tasks", new JsonArray().add(task("t3")))));

      assertThat(batch.items()).hasSize(MAX_ITEMS);
    }

    @Test
    @DisplayName("more items than the limit, counted across all types → too_many_items")
    void overItemLimit() {
      JsonObject comment = new JsonObject().put("id", "c1");
      assertThat(failure(envelope(new JsonObject()
          .put("task", new JsonArray().add(task("t1")).add(task("t2")))
          .put("comment", new JsonArray().add(comment).add(comment)))))
          .isEqualTo(ErrorCode.TOO_MANY_ITEMS);
    }

    @Test
    @DisplayName("numbers the items in batch order across types")
    void itemIndexes() {
      JsonObject bad = new JsonObject().put("title", "no id");
      PreparedBatch batch = prepare(envelope(new JsonObject()
          .put("task", new JsonArray().add(task("t1")).add(bad))
          .put("tasks", new JsonArray().add(task("t3")))));

      assertThat(batch.items()).extracting(PushItem::index).containsExactly(0, 2);
      assertThat(batch.rejected()).hasSize(1);
    }
  }

  @Nested
  @DisplayName("deviceId")
  class Device {

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"a b", "dev/1", "..", "é"})
    @DisplayName("outside the id alphabet → invalid_request")
    void badDeviceId(String deviceId) {
      assertThat(failure(oneTask().put("deviceId", deviceId))).isEqualTo(ErrorCode.INVALID_REQUEST);
    }

    @Test
    @DisplayName("longer than 128 characters → invalid_request")
    void tooLongDeviceId() {
      assertThat(failure(oneTask().put("deviceId", "d".repeat(129)))).isEqualTo(ErrorCode.INVALID_REQUEST);
    }

    @Test
    @DisplayName("not a string → invalid_request")
    void nonStringDeviceId() {
      assertThat(failure(oneTask().put("deviceId", 42))).isEqualTo(ErrorCode.INVALID_REQUEST);
    }

    @Test
    @DisplayName("different from the X-Device-Id header → invalid_request")
    void headerMismatch() {
      assertThat(failure(oneTask(), "dev-b")).isEqualTo(ErrorCode.INVALID_REQUEST);
    }

    @Test
    @DisplayName("equal to the X-Device-Id header is accepted")
    void headerSame() {
      assertThat(preparer.prepare(ALICE, "dev-a", oneTask()).deviceId()).isEqualTo("dev-a");
    }

    @Test
    @DisplayName("may be given by the X-Device-Id header alone")
    void headerOnly() {
      JsonObject body = oneTask();
      body.remove("deviceId");
      assertThat(preparer.prepare(ALICE, "dev-h", body).deviceId()).isEqualTo("dev-h");
    }

    @Test
    @DisplayName("is taken from the body when there is no header")
    void bodyOnly() {
      assertThat(prepare(oneTask()).deviceId()).isEqualTo("dev-a");
    }

    @Test
    @DisplayName("missing from body and header → invalid_request (a push must name its device)")
    void missingDevice() {
      JsonObject body = oneTask();
      body.remove("deviceId");
      assertThat(failure(body)).isEqualTo(ErrorCode.INVALID_REQUEST);
    }

    @Test
    @DisplayName("empty or null counts as absent: the header is used")
    void emptyCountsAsAbsent() {
      assertThat(preparer.prepare(ALICE, "dev-h", oneTask().put("deviceId", "")).deviceId()).isEqualTo("dev-h");
      assertThat(preparer.prepare(ALICE, "dev-h", oneTask().putNull("deviceId")).deviceId()).isEqualTo("dev-h");
    }

    @Test
    @DisplayName("an empty X-Device-Id header counts as absent: the body's deviceId is used")
    void emptyHeaderCountsAsAbsent() {
      assertThat(preparer.prepare(ALICE, "", oneTask()).deviceId()).isEqualTo("dev-a");
    }

    @Test
    @DisplayName("empty in the body and absent from the header → invalid_request")
    void emptyAndNoHeader() {
      assertThat(failure(oneTask().put("deviceId", ""))).isEqualTo(ErrorCode.INVALID_REQUEST);
    }

    @Test
    @DisplayName("an invalid X-Device-Id header → invalid_request")
    void badHeader() {
      JsonObject body = oneTask();
      body.remove("deviceId");
      assertThat(failure(body, "bad device")).isEqualTo(ErrorCode.INVALID_REQUEST);
    }
  }

  @Nested
  @DisplayName("other envelope fields")
  class OtherFields {

    @Test
    @DisplayName("a valid batchId is kept; an absent one is null")
    void batchIdKept() {
      assertThat(prepare(oneTask().put("batchId", "0f6c-42")).batchId()).isEqualTo("0f6c-42");
      assertThat(prepare(oneTask()).batchId()).isNull();
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"batch 1", "a/b", ".."})
    @DisplayName("a batchId outside the id alphabet → invalid_request")
    void badBatchId(String batchId) {
      assertThat(failure(oneTask().put("batchId", batchId))).isEqualTo(ErrorCode.INVALID_REQUEST);
    }

    @Test
    @DisplayName("a batchId over 128 characters → invalid_request")
    void longBatchId() {
      assertThat(failure(oneTask().put("batchId", "b".repeat(129)))).isEqualTo(ErrorCode.INVALID_REQUEST);
    }

    @Test
    @DisplayName("a non-string batchId → invalid_request")
    void numericBatchId() {
      assertThat(failure(oneTask().put("batchId", 7))).isEqualTo(ErrorCode.INVALID_REQUEST);
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"md5", "JCS-SHA256", "sha256", ""})
    @DisplayName("a checksumAlgorithm other than jcs-sha256 → invalid_request")
    void badChecksumAlgorithm(String algorithm) {
      assertThat(failure(oneTask().put("checksumAlgorithm", algorithm))).isEqualTo(ErrorCode.INVALID_REQUEST);
    }

    @Test
    @DisplayName("a non-string checksumAlgorithm → invalid_request")
    void numericChecksumAlgorithm() {
      assertThat(failure(oneTask().put("checksumAlgorithm", 256))).isEqualTo(ErrorCode.INVALID_REQUEST);
    }

    @Test
    @DisplayName("checksumAlgorithm jcs-sha256 is accepted")
    void goodChecksumAlgorithm() {
      assertThat(prepare(oneTask().put("checksumAlgorithm", "jcs-sha256")).items()).hasSize(1);
    }

    @Test
    @DisplayName("a non-numeric timestamp → invalid_request; a number is accepted")
    void timestamp() {
      assertThat(failure(oneTask().put("timestamp", "yesterday"))).isEqualTo(ErrorCode.INVALID_REQUEST);
      assertThat(prepare(oneTask().put("timestamp", 1_732_550_000_000L)).items()).hasSize(1);
    }

    @Test
    @DisplayName("unknown top-level keys are ignored (forward compatibility)")
    void unknownTopLevelKeys() {
      assertThat(prepare(oneTask().put("clientVersion", "9.9").put("extra", new JsonObject())).items()).hasSize(1);
    }
  }

  @Nested
  @DisplayName("envelope vectorClock")
  class DeviceClock {

    @Test
    @DisplayName("a valid clock is kept as the device clock")
    void validClockKept() {
      assertThat(prepare(oneTask().put("vectorClock", new JsonObject().put("dev-a", 42))).deviceClock())
          .isEqualTo(new JsonObject().put("dev-a", 42L));
    }

    @Test
    @DisplayName("absent is fine")
    void absentClock() {
      assertThat(prepare(oneTask()).deviceClock()).isNull();
    }

    @Test
    @DisplayName("not an object → invalid_request")
    void notAnObject() {
      assertThat(failure(oneTask().put("vectorClock", new JsonArray().add(1)))).isEqualTo(ErrorCode.INVALID_REQUEST);
      assertThat(failure(oneTask().put("vectorClock", "dev-a:1"))).isEqualTo(ErrorCode.INVALID_REQUEST);
    }

    @Test
    @DisplayName("a negative counter → invalid_request")
    void negativeCounter() {
      assertThat(failure(oneTask().put("vectorClock", new JsonObject().put("dev-a", -1))))
          .isEqualTo(ErrorCode.INVALID_REQUEST);
    }

    @Test
    @DisplayName("a key outside the id alphabet → invalid_request")
    void badKey() {
      assertThat(failure(oneTask().put("vectorClock", new JsonObject().put("dev a", 1))))
          .isEqualTo(ErrorCode.INVALID_REQUEST);
    }

    @Test
    @DisplayName("a bad counter in a clock of exactly 4096 entries → invalid_request")
    void badShapeAtLimit() {
      JsonObject clock = clockOfSize(4095, 1).put("bad", "x");
      assertThat(clock.size()).isEqualTo(4096);
      assertThat(failure(oneTask().put("vectorClock", clock))).isEqualTo(ErrorCode.INVALID_REQUEST);
    }

    @Test
    @DisplayName("a clock of more than 4096 entries is ignored, even with bad values")
    void oversizedIgnored() {
      JsonObject clock = clockOfSize(4097, "not a number");
      PreparedBatch batch = prepare(oneTask().put("vectorClock", clock));

      assertThat(batch.deviceClock()).isNull();
      assertThat(batch.items()).hasSize(1);
    }
  }

  @Nested
  @DisplayName("batch priority")
  class BatchPriority {

    @Test
    @DisplayName("is the most urgent (smallest) priority of its items")
    void minimumOfItems() {
      JsonObject low = task("t1").put("priority", 4);
      JsonObject high = task("t2").put("priority", 2);
      JsonObject mid = task("t3").put("priority", 3);

      assertThat(prepare(envelope(new JsonObject().put("task", new JsonArray().add(low).add(high).add(mid))))
          .priority()).isEqualTo(2);
    }

    @Test
    @DisplayName("uses computed item priorities when items declare none")
    void computedPriorities() {
      JsonObject tags = new JsonObject().put("id", "t1").put("tags", new JsonArray().add("x"))
          .put("vectorClock", new JsonObject().put("dev-a", 2));
      JsonObject create = task("t2").put("operation", "create");

      assertThat(prepare(envelope(new JsonObject().put("task", new JsonArray().add(tags)))).priority())
          .isEqualTo(4);
      assertThat(prepare(envelope(new JsonObject().put("task", new JsonArray().add(tags).add(create)))).priority())
          .isEqualTo(1);
    }
  }

  @Test
  @DisplayName("the batch survives a round trip through its event-bus JSON form")
  void jsonRoundTrip() {
    PreparedBatch batch = prepare(envelope(new JsonObject().put("task",
        new JsonArray().add(task("t1")).add(new JsonObject().put("title", "no id")))).put("batchId", "b-1")
        .put("vectorClock", new JsonObject().put("dev-a", 1)));

    assertThat(PreparedBatch.fromJson(batch.toJson()).toJson()).isEqualTo(batch.toJson());
  }

  @Test
  @DisplayName("a failing envelope reports an invalid_request GatewayException with a detail")
  void failureCarriesDetail() {
    assertThatThrownBy(() -> prepare(new JsonObject().put("deviceId", "dev-a")))
        .isInstanceOfSatisfying(GatewayException.class, e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
          assertThat(e.detail()).contains("changes");
        });
  }
}
