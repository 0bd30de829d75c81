package io.syncgateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.syncgateway.auth.Principal;
import io.syncgateway.auth.Role;
import io.syncgateway.batch.BatchPreparer;
import io.syncgateway.batch.ItemParser;
import io.syncgateway.batch.PreparedBatch;
import io.syncgateway.batch.PushItem;
import io.syncgateway.batch.Rejection;
import io.syncgateway.bus.ErrorCode;
import io.syncgateway.bus.GatewayException;
import io.syncgateway.checksum.Checksums;
import io.syncgateway.entity.EntityType;
import io.syncgateway.entity.FieldRule;
import io.syncgateway.entity.Ids;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;

/**
 * Random and mutated push bodies fed to {@link BatchPreparer#prepare}: the only outcomes are a
 * prepared batch or a {@link GatewayException} with an envelope code (any other exception fails the
 * property); a prepared batch accounts for every item exactly once, and everything it accepts obeys
 * the field rules. A change inside an item never fails the request, only that item.
 */
@Label("Validator fuzzing: BatchPreparer and ItemParser")
class ValidatorFuzzProperties {
  private static final int MAX_ITEMS = 20;
  private static final Set<ErrorCode> ENVELOPE_CODES =
      EnumSet.of(ErrorCode.INVALID_REQUEST, ErrorCode.UNKNOWN_ENTITY_TYPE, ErrorCode.TOO_MANY_ITEMS);
  private static final Set<String> ITEM_CODES =
      Set.of(Rejection.VALIDATION, Rejection.FORBIDDEN, Rejection.CHECKSUM_MISMATCH);
  private static final Set<String> ENVELOPE_KEYS =
      Set.of("deviceId", "batchId", "vectorClock", "timestamp", "checksumAlgorithm", "changes");
  private static final Principal PRINCIPAL = new Principal("user-1", "org-1", Role.MEMBER);
  private static final String DEVICE = "device-1";

  private final BatchPreparer preparer = new BatchPreparer(MAX_ITEMS);

  /** The preparer's answer: a batch, or the envelope failure. Any other exception escapes. */
  private Object prepare(String headerDeviceId, JsonObject body) {
    try {
      PreparedBatch batch = preparer.prepare(PRINCIPAL, headerDeviceId, body);
      checkPrepared(batch);
      return batch;
    } catch (GatewayException e) {
      assertThat(e.code()).as("envelope failure code (%s)", e.getMessage()).isIn(ENVELOPE_CODES);
      return e;
    }
  }

  // ------------------------------------------------------------------ random bodies

  @Property(tries = 250)
  @Label("any JSON object as a body: a prepared batch or an envelope code")
  void randomBodies(@ForAll("jsonObjects") JsonObject body, @ForAll("headerDevices") String header) {
    Object outcome = prepare(header, body);
    Statistics.collect(outcome instanceof GatewayException e ? e.code() : "prepared");
  }

  @Property(tries = 250)
  @Label("random changes under a valid envelope: every object item is accounted for")
  void randomChanges(@ForAll("changes") JsonObject changes) {
    JsonObject body = new JsonObject().put("deviceId", DEVICE).put("changes", changes);
    Object outcome = prepare(null, body);
    if (outcome instanceof PreparedBatch batch) {
      assertThat(batch.itemCount()).isEqualTo(objectItems(changes));
    }
    Statistics.collect(outcome instanceof GatewayException e ? e.code() : "prepared");
  }

  // ------------------------------------------------------------------ mutated valid batches

  @Property(tries = 500)
  @Label("a valid batch with changes inside items: never an envelope failure, untouched items accepted")
  void itemMutationsRejectOnlyThatItem(@ForAll("validBatches") JsonObject body,
      @ForAll("itemMutations") List<ItemMutation> mutations, @ForAll boolean verifyChecksums) {
    if (verifyChecksums) {
      body.put("checksumAlgorithm", "jcs-sha256");
    }
    List<JsonObject> items = items(body);
    Set<Integer> touched = new HashSet<>();
    for (ItemMutation mutation : mutations) {
      int index = mutation.item() % items.size();
      mutation.applyTo(items.get(index));
      touched.add(index);
    }

    PreparedBatch batch = preparer.prepare(PRINCIPAL, null, body);
    checkPrepared(batch);

    assertThat(batch.itemCount()).isEqualTo(items.size());
    Set<Integer> accepted = new HashSet<>();
    batch.items().forEach(item -> accepted.add(item.index()));
    for (int i = 0; i < items.size(); i++) {
      if (!touched.contains(i)) {
        assertThat(accepted).as("untouched item %d is accepted", i).contains(i);
      }
    }
    Statistics.label("rejected").collect(batch.rejected().size());
  }

  @Property(tries = 300)
  @Label("a valid batch with one envelope field changed: a defined outcome; unknown keys change nothing")
  void envelopeMutations(@ForAll("validBatches") JsonObject body, @ForAll("envelopeKeys") String key,
      @ForAll("values") Object value) {
    int count = items(body).size();
    body.put(key, value);
    Object outcome = prepare(null, body);
    if (!ENVELOPE_KEYS.contains(key)) {
      assertThat(outcome).as("unknown top-level key %s", key).isInstanceOf(PreparedBatch.class);
      assertThat(((PreparedBatch) outcome).items()).hasSize(count);
    }
    Statistics.collect(ENVELOPE_KEYS.contains(key) ? key : "other key",
        outcome instanceof GatewayException e ? e.code() : "prepared");
  }

  @Property(tries = 200)
  @Label("an item is never accepted once its envelope shape is broken: changes items must be objects")
  void nonObjectItemsFailTheEnvelope(@ForAll("validBatches") JsonObject body, @ForAll("leaves") Object notAnObject,
      @ForAll @IntRange(min = 0, max = 100) int where) {
    JsonArray tasks = body.getJsonObject("changes").getJsonArray("task");
    tasks.getList().add(where % (tasks.size() + 1), notAnObject);
    Object outcome = prepare(null, body);
    assertThat(outcome).isInstanceOf(GatewayException.class);
    assertThat(((GatewayException) outcome).code()).isEqualTo(ErrorCode.INVALID_REQUEST);
  }

  @Property(tries = 300)
  @Label("with jcs-sha256, correct checksums pass and any changed domain value is caught")
  void checksumsCatchTampering(@ForAll("validBatches") JsonObject body, @ForAll @IntRange(min = 0, max = 100) int which,
      @ForAll("texts") String tampered) {
    body.put("checksumAlgorithm", "jcs-sha256");
    List<JsonObject> items = items(body);
    List<JsonObject> checksummed = new ArrayList<>();
    for (JsonObject item : items) {
      JsonObject entity = item.containsKey("payload") ? item.getJsonObject("payload") : item;
      entity.put("checksum", Checksums.of(entity));
      checksummed.add(entity);
    }
    assertThat(preparer.prepare(PRINCIPAL, null, body.copy()).rejected()).as("untampered batch").isEmpty();

    JsonObject victim = checksummed.get(which % checksummed.size());
    String field = victim.containsKey("title") ? "title" : victim.containsKey("content") ? "content"
        : victim.containsKey("filename") ? "filename" : "_none";
    String before = victim.getString(field);
    if (before == null || before.equals(tampered)) {
      return; // a delete carries no domain field; an identical value is no tampering
    }
    victim.put(field, tampered);
    PreparedBatch batch = preparer.prepare(PRINCIPAL, null, body);
    checkPrepared(batch);
    assertThat(batch.rejected()).hasSize(1);
    assertThat(batch.rejected().get(0).code()).isIn(Rejection.CHECKSUM_MISMATCH, Rejection.VALIDATION);
    Statistics.collect(batch.rejected().get(0).code());
  }

  // ------------------------------------------------------------------ invariants

  /** What every prepared batch must satisfy, whatever went in. */
  private static void checkPrepared(PreparedBatch batch) {
    assertThat(Ids.isValid(batch.deviceId())).as("device id %s", batch.deviceId()).isTrue();
    if (batch.batchId() != null) {
      assertThat(Ids.isValid(batch.batchId())).isTrue();
    }
    assertThat(batch.itemCount()).isLessThanOrEqualTo(MAX_ITEMS);
    Set<Integer> indexes = new HashSet<>();
    for (PushItem item : batch.items()) {
      assertThat(indexes.add(item.index())).as("index %d once", item.index()).isTrue();
      assertThat(item.index()).isBetween(0, batch.itemCount() - 1);
      assertThat(Ids.isValid(item.id())).as("item id %s", item.id()).isTrue();
      assertThat(item.clock().size()).isLessThanOrEqualTo(ItemParser.MAX_ITEM_CLOCK_ENTRIES);
      item.clock().asMap().keySet().forEach(key -> assertThat(Ids.isValid(key)).isTrue());
      assertThat(item.priority()).isBetween(1, 5);
      if (item.isDelete()) {
        assertThat(item.fields()).as("a delete stores no fields").isEmpty();
      }
      for (Map.Entry<String, Object> field : item.fields()) {
        FieldRule rule = item.type().fields().get(field.getKey());
        assertThat(rule).as("field %s of a %s", field.getKey(), item.type()).isNotNull();
        assertThat(rule.problem(field.getValue())).as("accepted %s", field.getKey()).isNull();
        assertStorable(field.getValue());
      }
    }
    for (Rejection rejection : batch.rejected()) {
      assertThat(rejection.code()).isIn(ITEM_CODES);
      assertThat(rejection.message()).isNotBlank();
      assertThat(rejection.retryable()).isFalse();
      if (rejection.entityId() != null) {
        // A valid id, or an invalid string id echoed (Appendix A rule 6): bounded and storable.
        String echoed = rejection.entityId();
        assertThat(echoed.codePointCount(0, echoed.length())).isLessThanOrEqualTo(ItemParser.MAX_ECHOED_ID_LENGTH);
        assertThat(ItemParser.unstorable(echoed)).as("storable entityId").isFalse();
      }
    }
    // The prepared batch crosses the event bus as JSON: it must survive that trip unchanged.
    JsonObject json = batch.toJson();
    assertThat(PreparedBatch.fromJson(json).toJson()).isEqualTo(json);
    assertThat(json.encode()).isNotEmpty();
  }

  private static void assertStorable(Object value) {
    if (value instanceof String text) {
      assertThat(ItemParser.unstorable(text)).as("storable text").isFalse();
    } else if (value instanceof JsonObject object) {
      object.forEach(entry -> {
        assertStorable(entry.getKey());
        assertStorable(entry.getValue());
      });
    } else if (value instanceof JsonArray array) {
      array.forEach(ValidatorFuzzProperties::assertStorable);
    }
  }

  private static int objectItems(JsonObject changes) {
    int count = 0;
    for (Map.Entry<String, Object> entry : changes) {
      if (entry.getValue() instanceof JsonArray array) {
        for (Object item : array) {
          count += item instanceof JsonObject ? 1 : 0;
        }
      }
    }
    return count;
  }

  /** The item objects of a valid batch, in push order, as live references into the body. */
  private static List<JsonObject> items(JsonObject body) {
    List<JsonObject> items = new ArrayList<>();
    JsonObject changes = body.getJsonObject("changes");
    for (String type : changes.fieldNames()) {
      for (Object item : changes.getJsonArray(type)) {
        items.add((JsonObject) item);
      }
    }
    return items;
  }

  // ------------------------------------------------------------------ mutations

  /** One change inside an item: set a key to a value, remove a key, or change a nested value. */
  record ItemMutation(int item, int kind, String key, Object value) {
    void applyTo(JsonObject item) {
      JsonObject target = item.containsKey("payload") && item.getValue("payload") instanceof JsonObject payload
          && kind % 2 == 0 ? payload : item;
      switch (kind) {
        case 0, 1 -> target.put(key, value);
        case 2 -> target.remove(key);
        case 3 -> target.put("vectorClock", value);
        case 4 -> target.put("vectorClock", new JsonObject().put(key, value));
        default -> {
          Object current = target.getValue(key);
          if (current instanceof JsonObject object) {
            object.put(key, value);
          } else if (current instanceof JsonArray array) {
            array.add(value);
          } else {
            target.put(key, value);
          }
        }
      }
    }
  }

  @Provide
  Arbitrary<List<ItemMutation>> itemMutations() {
    Arbitrary<String> keys = Arbitraries.oneOf(
        Arbitraries.of("id", "title", "description", "status", "assignedTo", "dueDate", "completedAt", "tags",
            "customFields", "position", "taskId", "content", "filename", "mimeType", "size", "storageKey",
            "operation", "vectorClock", "priority", "changedFields", "entityType", "entityId", "payload",
            "organizationId", "version", "checksum", "createdBy", "_local", "__proto__", "constructor"),
        texts());
    return Combinators.combine(Arbitraries.integers().between(0, 50), Arbitraries.integers().between(0, 5), keys,
            values())
        .as(ItemMutation::new).list().ofMinSize(1).ofMaxSize(3);
  }

  @Provide
  Arbitrary<String> envelopeKeys() {
    return Arbitraries.oneOf(Arbitraries.of(ENVELOPE_KEYS.toArray(String[]::new)),
        Arbitraries.of("deviceid", "_meta", "changes ", "operation", "items"), texts());
  }

  @Provide
  Arbitrary<String> headerDevices() {
    return Arbitraries.of("device-1", "device-2", "", "bad device", "x".repeat(129)).injectNull(0.5);
  }

  // ------------------------------------------------------------------ valid batches

  @Provide
  Arbitrary<JsonObject> validBatches() {
    Arbitrary<JsonObject> tasks = Combinators.combine(ids(), validTitles(), counters(),
            Arbitraries.strings().alpha().ofMaxLength(12).list().ofMaxSize(4), Arbitraries.of("create", "update"))
        .as((id, title, counter, tags, operation) -> new JsonObject().put("id", "t-" + id).put("operation", operation)
            .put("title", title).put("tags", new JsonArray(tags)).put("status", "open").putNull("assignedTo")
            .put("dueDate", 1732550000000L).put("position", 1.5).put("_localOnly", true)
            .put("customFields", new JsonObject().put("n", counter).put("deep", new JsonObject().put("x", "y")))
            .put("vectorClock", new JsonObject().put(DEVICE, counter)));
    Arbitrary<JsonObject> comments = Combinators.combine(ids(), validTitles(), counters())
        .as((id, content, counter) -> new JsonObject().put("id", "c-" + id).put("taskId", "t-" + id)
            .put("content", content).put("vectorClock", new JsonObject().put(DEVICE, counter)));
    Arbitrary<JsonObject> attachments = Combinators.combine(ids(), validTitles(), counters())
        .as((id, name, counter) -> new JsonObject().put("id", "a-" + id).put("taskId", "t-" + id)
            .put("filename", name).put("size", counter).put("mimeType", "text/plain")
            .put("vectorClock", new JsonObject().put(DEVICE, counter)));
    Arbitrary<JsonObject> deletes = Combinators.combine(ids(), counters())
        .as((id, counter) -> new JsonObject().put("id", "t-" + id).put("operation", "delete")
            .put("vectorClock", new JsonObject().put(DEVICE, counter)));
    Arbitrary<JsonObject> queueItems = Combinators.combine(ids(), validTitles(), counters(), Arbitraries.integers().between(1, 5))
        .as((id, title, counter, priority) -> new JsonObject().put("id", "queue-" + id).put("entityType", "task")
            .put("entityId", "q-" + id).put("operation", "update").put("priority", priority).put("retryCount", 2)
            .put("payload", new JsonObject().put("title", title).put("vectorClock", new JsonObject().put(DEVICE, counter))));
    return Combinators.combine(
            Arbitraries.oneOf(tasks, deletes, queueItems).list().ofMinSize(1).ofMaxSize(5),
            comments.list().ofMaxSize(3), attachments.list().ofMaxSize(3), Arbitraries.of(true, false))
        .as((taskItems, commentItems, attachmentItems, plural) -> new JsonObject()
            .put("deviceId", DEVICE).put("batchId", "batch-1").put("timestamp", 1732550000000L)
            .put("vectorClock", new JsonObject().put(DEVICE, 3))
            .put("changes", new JsonObject()
                .put("task", new JsonArray(new ArrayList<>(taskItems)))
                .put(plural ? "comments" : "comment", new JsonArray(new ArrayList<>(commentItems)))
                .put(plural ? "attachments" : "attachment", new JsonArray(new ArrayList<>(attachmentItems)))));
  }

  private static Arbitrary<String> ids() {
    return Arbitraries.strings().withChars("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._~:-")
        .ofMinLength(1).ofMaxLength(60);
  }

  private static Arbitrary<String> validTitles() {
    return Arbitraries.strings().withCharRange(' ', '~').withChars('é', '漢', '\n').ofMinLength(1).ofMaxLength(80);
  }

  private static Arbitrary<Long> counters() {
    return Arbitraries.longs().between(0, (1L << 53) - 1);
  }

  // ------------------------------------------------------------------ random JSON

  /** Random objects; half of them carry a usable deviceId and random changes, so validation goes deep. */
  @Provide
  Arbitrary<JsonObject> jsonObjects() {
    Arbitrary<JsonObject> random = Arbitraries.maps(
            Arbitraries.oneOf(Arbitraries.of(ENVELOPE_KEYS.toArray(String[]::new)), texts()), values())
        .ofMaxSize(6).map(map -> new JsonObject(new LinkedHashMap<>(map)));
    return Combinators.combine(random, changes(), Arbitraries.of(true, false))
        .as((body, changes, envelope) -> envelope ? body.put("deviceId", DEVICE).put("changes", changes) : body);
  }

  @Provide
  Arbitrary<JsonObject> changes() {
    Arbitrary<String> types = Arbitraries.oneOf(
        Arbitraries.of("task", "tasks", "comment", "comments", "attachment", "attachments"),
        Arbitraries.of("Task", "widget", "tasks; DELETE FROM tasks", "", "__proto__"));
    Arbitrary<Object> itemLists = Arbitraries.oneOf(
        items().list().ofMaxSize(5).map(list -> (Object) new JsonArray(new ArrayList<>(list))),
        values());
    return Arbitraries.maps(Arbitraries.oneOf(types, types, types, texts()), itemLists).ofMaxSize(4)
        .map(map -> new JsonObject(new LinkedHashMap<>(map)));
  }

  /** Item-like objects: the keys items have, with random values of every kind. */
  private Arbitrary<Object> items() {
    Arbitrary<String> keys = Arbitraries.of("id", "title", "content", "filename", "taskId", "vectorClock",
        "operation", "priority", "changedFields", "organizationId", "entityType", "entityId", "payload", "tags",
        "customFields", "size", "dueDate", "_x", "checksum", "version", "unknownField");
    Arbitrary<Object> itemValues = Arbitraries.oneOf(values(), values(),
        ids().map(id -> (Object) id), validTitles().map(t -> (Object) t),
        Arbitraries.of("create", "update", "delete", "org-1", "task").map(s -> (Object) s),
        Combinators.combine(ids(), counters()).as((k, v) -> (Object) new JsonObject().put(k, v)));
    return Arbitraries.maps(keys, itemValues).ofMaxSize(8).map(map -> (Object) new JsonObject(new LinkedHashMap<>(map)));
  }

  @Provide
  Arbitrary<Object> values() {
    return Arbitraries.recursive(this::leaves, ValidatorFuzzProperties::containers, 0, 3);
  }

  @Provide
  Arbitrary<Object> leaves() {
    return Arbitraries.oneOf(
        texts().map(s -> (Object) s),
        Arbitraries.integers().map(i -> (Object) i),
        Arbitraries.longs().map(l -> (Object) l),
        Arbitraries.of(-1L, 0L, 1L, 5L, 6L, (1L << 53) - 1, 1L << 53, Long.MAX_VALUE, Long.MIN_VALUE).map(l -> (Object) l),
        Arbitraries.doubles().map(d -> (Object) d),
        Arbitraries.of(0.5, -0.0, 1.0, 1e300, -1e-300).map(d -> (Object) d),
        Arbitraries.of(Boolean.TRUE, Boolean.FALSE).map(b -> (Object) b))
        .injectNull(0.1);
  }

  private static Arbitrary<Object> containers(Arbitrary<Object> inner) {
    return Arbitraries.oneOf(
        inner.list().ofMaxSize(4).map(list -> (Object) new JsonArray(new ArrayList<>(list))),
        Arbitraries.maps(texts(), inner).ofMaxSize(4).map(map -> (Object) new JsonObject(new LinkedHashMap<>(map))));
  }

  @Provide("texts")
  Arbitrary<String> textValues() {
    return texts();
  }

  /** Text as a parsed body may hold it: any character, unpaired surrogates, NUL, long runs, SQL. */
  static Arbitrary<String> texts() {
    return Arbitraries.oneOf(
        Arbitraries.strings().ofMaxLength(10),
        Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(20),
        Arbitraries.of("", ".", "..", "t1'; DROP TABLE tasks;--", "tasks; DELETE FROM tasks", "../../etc/passwd",
            "a\u0000b", "a\ud800b", "\udc00", "😀", "jcs-sha256", "create", "delete", "org-1", "org-2", "device-1"),
        Arbitraries.integers().between(60, 1200).map("x"::repeat));
  }
}
