package io.syncgateway.batch;

import io.syncgateway.entity.Operation;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.syncgateway.auth.Principal;
import io.syncgateway.auth.Role;
import io.syncgateway.checksum.Checksums;
import io.syncgateway.clock.VectorClock;
import io.syncgateway.entity.EntityType;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Item-level rules of PROTOCOL.md §1 and §3 (field rules, item metadata, queue-item form,
 * checksums, priorities): a bad value rejects only that item.
 */
@DisplayName("ItemParser (items)")
class ItemParserTest {
  private static final Principal ALICE = new Principal("alice", "org-1", Role.MEMBER);

  private final ItemParser parser = new ItemParser(ALICE, false);
  private final ItemParser verifying = new ItemParser(ALICE, true);

  private static JsonObject clock() {
    return new JsonObject().put("dev-a", 1);
  }

  private static JsonObject task() {
    return new JsonObject().put("id", "t1").put("title", "Buy milk").put("vectorClock", clock());
  }

  private static JsonObject comment() {
    return new JsonObject().put("id", "c1").put("taskId", "t1").put("content", "hi").put("vectorClock", clock());
  }

  private static JsonObject attachment() {
    return new JsonObject().put("id", "a1").put("taskId", "t1").put("filename", "f.png").put("vectorClock", clock());
  }

  private PushItem parse(EntityType type, JsonObject raw) {
    return parser.parse(type, raw, 0);
  }

  private PushItem parseTask(JsonObject raw) {
    return parse(EntityType.TASK, raw);
  }

  private static Rejection rejection(ItemParser parser, EntityType type, JsonObject raw) {
    ItemRejectedException e = catchThrowableOfType(ItemRejectedException.class, () -> parser.parse(type, raw, 0));
    assertThat(e).as("the item is rejected").isNotNull();
    return e.rejection();
  }

  private Rejection rejection(EntityType type, JsonObject raw) {
    return rejection(parser, type, raw);
  }

  private Rejection taskRejection(JsonObject raw) {
    return rejection(EntityType.TASK, raw);
  }

  private void assertValidation(JsonObject taskItem) {
    Rejection rejection = taskRejection(taskItem);
    assertThat(rejection.code()).isEqualTo(Rejection.VALIDATION);
    assertThat(rejection.retryable()).isFalse();
  }

  @Test
  @DisplayName("reads a flat item: id, operation, clock, fields and position in the batch")
  void readsFlatItem() {
    PushItem item = parser.parse(EntityType.TASK, task().put("operation", "create").put("status", "open"), 7);

    assertThat(item.type()).isEqualTo(EntityType.TASK);
    assertThat(item.id()).isEqualTo("t1");
    assertThat(item.operation()).isEqualTo(Operation.CREATE);
    assertThat(item.clock()).isEqualTo(VectorClock.of(Map.of("dev-a", 1L)));
    assertThat(item.fields()).isEqualTo(new JsonObject().put("title", "Buy milk").put("status", "open"));
    assertThat(item.index()).isEqualTo(7);
  }

  @Nested
  @DisplayName("id")
  class Id {

    @Test
    @DisplayName("missing → validation with entityId null")
    void missingId() {
      JsonObject item = task();
      item.remove("id");
      Rejection rejection = taskRejection(item);

      assertThat(rejection.code()).isEqualTo(Rejection.VALIDATION);
      assertThat(rejection.entityId()).isNull();
      assertThat(rejection.type()).isEqualTo(EntityType.TASK);
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"", "a b", "a/b", ".", "..", "tâche", "t1' OR '1'='1", "../../etc/passwd"})
    @DisplayName("outside the id alphabet → validation echoing the id as sent, so the client can find the item")
    void invalidId(String id) {
      Rejection rejection = taskRejection(task().put("id", id));

      assertThat(rejection.code()).isEqualTo(Rejection.VALIDATION);
      assertThat(rejection.entityId()).isEqualTo(id);
    }

    @Test
    @DisplayName("longer than 128 characters → validation echoing the id as sent")
    void tooLongId() {
      assertThat(taskRejection(task().put("id", "x".repeat(129))).entityId()).isEqualTo("x".repeat(129));
    }

    @Test
    @DisplayName("longer than 1,024 characters → echoed cut to 1,024 characters")
    void veryLongIdIsCut() {
      assertThat(taskRejection(task().put("id", "y".repeat(1024) + "z".repeat(100_000))).entityId())
          .isEqualTo("y".repeat(1024));
    }

    @Test
    @DisplayName("the cut counts characters, not UTF-16 units: a surrogate pair at the cut stays whole")
    void cutKeepsSurrogatePairs() {
      String emoji = "\ud83d\ude00";
      String echoed = taskRejection(task().put("id", "x".repeat(1023) + emoji + "tail")).entityId();

      assertThat(echoed).isEqualTo("x".repeat(1023) + emoji);
      assertThat(echoed.codePointCount(0, echoed.length())).isEqualTo(1024);
    }

    @Test
    @DisplayName("U+0000 and unpaired surrogates, which JSON storage cannot hold, are echoed as U+FFFD")
    void unstorableCharactersReplaced() {
      assertThat(taskRejection(task().put("id", "a\u0000b\ud800c\udc00")).entityId()).isEqualTo("a\ufffdb\ufffdc\ufffd");
    }

    @Test
    @DisplayName("a field name quoted in a rejection message has U+0000 replaced too")
    void quotedFieldNameIsStorable() {
      Rejection rejection = taskRejection(task().put("bad\u0000name", 1));

      assertThat(rejection.message()).contains("bad\ufffdname");
      assertThat(ItemParser.unstorable(rejection.message())).isFalse();
    }

    @Test
    @DisplayName("not a string → validation with entityId null")
    void numericId() {
      Rejection rejection = taskRejection(task().put("id", 42));

      assertThat(rejection.code()).isEqualTo(Rejection.VALIDATION);
      assertThat(rejection.entityId()).isNull();
    }

    @Test
    @DisplayName("null, an object, an array or a boolean → validation with entityId null")
    void otherNonStringIds() {
      assertThat(taskRejection(task().putNull("id")).entityId()).isNull();
      assertThat(taskRejection(task().put("id", new JsonObject().put("id", "t1"))).entityId()).isNull();
      assertThat(taskRejection(task().put("id", new JsonArray().add("t1"))).entityId()).isNull();
      assertThat(taskRejection(task().put("id", true)).entityId()).isNull();
    }

    @Test
    @DisplayName("a UUID is a valid id")
    void uuidId() {
      assertThat(parseTask(task().put("id", "550e8400-e29b-41d4-a716-446655440000")).id())
          .isEqualTo("550e8400-e29b-41d4-a716-446655440000");
    }
  }

  @Nested
  @DisplayName("keys that are not domain fields")
  class OtherKeys {

    @Test
    @DisplayName("an unknown field → validation naming the item")
    void unknownField() {
      Rejection rejection = taskRejection(task().put("colour", "red"));

      assertThat(rejection.code()).isEqualTo(Rejection.VALIDATION);
      assertThat(rejection.entityId()).isEqualTo("t1");
      assertThat(rejection.message()).contains("colour");
    }

    @Test
    @DisplayName("a field of another entity type is unknown (content on a task)")
    void fieldOfOtherType() {
      assertValidation(task().put("content", "text"));
    }

    @Test
    @DisplayName("top-level keys starting with '_' are ignored and never stored")
    void localKeysIgnored() {
      PushItem item = parseTask(task().put("_local", true).put("_syncStatus", new JsonObject().put("x", 1)));

      assertThat(item.fields()).isEqualTo(new JsonObject().put("title", "Buy milk"));
    }

    @Test
    @DisplayName("server-managed fields sent back are accepted and ignored")
    void serverManagedIgnored() {
      PushItem item = parseTask(task()
          .put("version", 9).put("updatedAt", 1L).put("createdAt", 1L).put("createdBy", "mallory")
          .put("lastModifiedBy", "mallory").put("lastModifiedDevice", "dev-z").put("deletedAt", 5L)
          .put("checksum", "not-verified"));

      assertThat(item.fields()).isEqualTo(new JsonObject().put("title", "Buy milk"));
    }

    @Test
    @DisplayName("organizationId equal to the token's organization is accepted and not stored as a field")
    void sameOrganization() {
      PushItem item = parseTask(task().put("organizationId", "org-1"));

      assertThat(item.fields().containsKey("organizationId")).isFalse();
    }

    @Test
    @DisplayName("organizationId different from the token's → forbidden")
    void otherOrganization() {
      Rejection rejection = taskRejection(task().put("organizationId", "org-2"));

      assertThat(rejection.code()).isEqualTo(Rejection.FORBIDDEN);
      assertThat(rejection.entityId()).isEqualTo("t1");
      assertThat(rejection.retryable()).isFalse();
    }

    @Test
    @DisplayName("entityType naming the item's type (singular or plural) is accepted")
    void matchingEntityType() {
      assertThat(parseTask(task().put("entityType", "task")).fields().containsKey("entityType")).isFalse();
      assertThat(parseTask(task().put("entityType", "tasks")).id()).isEqualTo("t1");
    }

    @Test
    @DisplayName("entityType naming another type → validation")
    void mismatchedEntityType() {
      assertValidation(task().put("entityType", "comment"));
      assertValidation(task().put("entityType", "project"));
    }
  }

  @Nested
  @DisplayName("operation, priority, changedFields")
  class ItemMeta {

    @Test
    @DisplayName("operation defaults to update when absent")
    void operationDefault() {
      assertThat(parseTask(task()).operation()).isEqualTo(Operation.UPDATE);
    }

    @Test
    @DisplayName("a null operation counts as absent (update)")
    void operationNull() {
      assertThat(parseTask(task().putNull("operation")).operation()).isEqualTo(Operation.UPDATE);
    }

    @Test
    @DisplayName("create, update and delete are read")
    void operations() {
      assertThat(parseTask(task().put("operation", "create")).operation()).isEqualTo(Operation.CREATE);
      assertThat(parseTask(task().put("operation", "update")).operation()).isEqualTo(Operation.UPDATE);
      assertThat(parseTask(task().put("operation", "delete")).operation()).isEqualTo(Operation.DELETE);
    }

    @Test
    @DisplayName("an unknown, upper-case or non-string operation → validation")
    void badOperation() {
      assertValidation(task().put("operation", "upsert"));
      assertValidation(task().put("operation", "DELETE"));
      assertValidation(task().put("operation", 1));
    }

    @ParameterizedTest(name = "priority {0}")
    @ValueSource(ints = {1, 3, 5})
    @DisplayName("a declared priority of 1 to 5 is used as is")
    void declaredPriority(int priority) {
      assertThat(parseTask(task().put("priority", priority)).priority()).isEqualTo(priority);
    }

    @Test
    @DisplayName("a priority outside 1–5, fractional or non-numeric → validation")
    void badPriority() {
      assertValidation(task().put("priority", 0));
      assertValidation(task().put("priority", 6));
      assertValidation(task().put("priority", 2.5));
      assertValidation(task().put("priority", "1"));
    }

    @Test
    @DisplayName("a null priority counts as absent (computed)")
    void nullPriority() {
      assertThat(parseTask(task().putNull("priority").put("operation", "create")).priority()).isEqualTo(1);
    }

    @Test
    @DisplayName("changedFields naming known fields is accepted")
    void changedFieldsKnown() {
      assertThat(parseTask(task().put("changedFields", new JsonArray().add("title").add("updatedAt"))).id())
          .isEqualTo("t1");
    }

    @Test
    @DisplayName("changedFields naming an unknown field → validation")
    void changedFieldsUnknown() {
      assertValidation(task().put("changedFields", new JsonArray().add("title").add("colour")));
    }

    @Test
    @DisplayName("changedFields that is not an array of strings → validation")
    void changedFieldsBadShape() {
      assertValidation(task().put("changedFields", "title"));
      assertValidation(task().put("changedFields", new JsonArray().add(1)));
    }
  }

  @Nested
  @DisplayName("vectorClock")
  class ItemClock {

    @Test
    @DisplayName("missing → validation")
    void missing() {
      JsonObject item = task();
      item.remove("vectorClock");
      assertValidation(item);
    }

    @Test
    @DisplayName("not an object → validation")
    void notObject() {
      assertValidation(task().put("vectorClock", new JsonArray().add(1)));
      assertValidation(task().put("vectorClock", 3));
    }

    @Test
    @DisplayName("negative, fractional or string counters → validation")
    void badCounters() {
      assertValidation(task().put("vectorClock", new JsonObject().put("dev-a", -1)));
      assertValidation(task().put("vectorClock", new JsonObject().put("dev-a", 1.5)));
      assertValidation(task().put("vectorClock", new JsonObject().put("dev-a", "1")));
    }

    @Test
    @DisplayName("a counter above 2^53−1 → validation")
    void counterTooLarge() {
      assertValidation(task().put("vectorClock", new JsonObject().put("dev-a", 1L << 53)));
    }

    @Test
    @DisplayName("a key outside the id alphabet → validation")
    void badKey() {
      assertValidation(task().put("vectorClock", new JsonObject().put("dev a", 1)));
    }

    @Test
    @DisplayName("256 entries are accepted, 257 → validation")
    void entryLimit() {
      JsonObject full = new JsonObject();
      for (int i = 0; i < 256; i++) {
        full.put("d" + i, i);
      }
      assertThat(parseTask(task().put("vectorClock", full)).clock().size()).isEqualTo(256);
      assertValidation(task().put("vectorClock", full.copy().put("one-more", 1)));
    }
  }

  @Nested
  @DisplayName("field rules")
  class FieldRules {

    @Test
    @DisplayName("a title of 500 characters is accepted, 501 → validation")
    void titleLength() {
      assertThat(parseTask(task().put("title", "x".repeat(500))).fields().getString("title")).hasSize(500);
      assertValidation(task().put("title", "x".repeat(501)));
    }

    @Test
    @DisplayName("an empty title → validation (title is 1–500 characters)")
    void emptyTitle() {
      assertValidation(task().put("title", ""));
    }

    @Test
    @DisplayName("a null title → validation (title may not be cleared)")
    void nullTitle() {
      assertValidation(task().putNull("title"));
    }

    @Test
    @DisplayName("a non-string title → validation")
    void nonStringTitle() {
      assertValidation(task().put("title", 12));
    }

    @Test
    @DisplayName("null clears an optional field: it is kept as an explicit null")
    void nullClearsOptional() {
      PushItem item = parseTask(task().putNull("description").putNull("assignedTo"));

      assertThat(item.fields().containsKey("description")).isTrue();
      assertThat(item.fields().getValue("description")).isNull();
    }

    @Test
    @DisplayName("a description over 100 000 characters → validation")
    void descriptionLength() {
      assertThat(parseTask(task().put("description", "d".repeat(100_000))).id()).isEqualTo("t1");
      assertValidation(task().put("description", "d".repeat(100_001)));
    }

    @Test
    @DisplayName("a status over 64 characters → validation")
    void statusLength() {
      assertValidation(task().put("status", "s".repeat(65)));
    }

    @Test
    @DisplayName("assignedTo over 128 characters → validation")
    void assignedToLength() {
      assertThat(parseTask(task().put("assignedTo", "u".repeat(128))).id()).isEqualTo("t1");
      assertValidation(task().put("assignedTo", "u".repeat(129)));
    }

    @Test
    @DisplayName("dueDate must be a non-negative integer of milliseconds")
    void dueDate() {
      assertThat(parseTask(task().put("dueDate", 1_732_550_000_000L)).fields().getLong("dueDate"))
          .isEqualTo(1_732_550_000_000L);
      assertValidation(task().put("dueDate", "2024-11-25"));
      assertValidation(task().put("dueDate", -1));
    }

    @Test
    @DisplayName("64 tags are accepted, 65 → validation")
    void tagCount() {
      JsonArray tags = new JsonArray();
      for (int i = 0; i < 64; i++) {
        tags.add("tag" + i);
      }
      assertThat(parseTask(task().put("tags", tags)).fields().getJsonArray("tags")).hasSize(64);
      assertValidation(task().put("tags", tags.copy().add("tag64")));
    }

    @Test
    @DisplayName("tags that are not strings → validation")
    void tagTypes() {
      assertValidation(task().put("tags", new JsonArray().add("ok").add(3)));
      assertValidation(task().put("tags", "a,b"));
    }

    @Test
    @DisplayName("customFields hold any JSON, stored as it is")
    void customFieldsAnyJson() {
      JsonObject custom = new JsonObject().put("nested", new JsonObject().put("list", new JsonArray().add(1).addNull()))
          .put("flag", true).put("_private", "kept inside customFields");
      assertThat(parseTask(task().put("customFields", custom)).fields().getJsonObject("customFields"))
          .isEqualTo(custom);
    }

    @Test
    @DisplayName("customFields over 64 KiB serialized → validation")
    void customFieldsTooLarge() {
      JsonObject custom = new JsonObject().put("blob", "x".repeat(64 * 1024));
      assertValidation(task().put("customFields", custom));
    }

    @Test
    @DisplayName("customFields that are not an object → validation")
    void customFieldsNotObject() {
      assertValidation(task().put("customFields", new JsonArray()));
    }

    @Test
    @DisplayName("position must be a number")
    void position() {
      assertThat(parseTask(task().put("position", 1.5)).fields().getDouble("position")).isEqualTo(1.5);
      assertValidation(task().put("position", "first"));
    }

    @Test
    @DisplayName("a taskId outside the id alphabet → validation")
    void badTaskId() {
      Rejection rejection = rejection(EntityType.COMMENT, comment().put("taskId", "task 1"));

      assertThat(rejection.code()).isEqualTo(Rejection.VALIDATION);
      assertThat(rejection.entityId()).isEqualTo("c1");
    }

    @Test
    @DisplayName("a null taskId → validation (taskId may not be cleared)")
    void nullTaskId() {
      assertThat(rejection(EntityType.COMMENT, comment().putNull("taskId")).code()).isEqualTo(Rejection.VALIDATION);
    }

    @Test
    @DisplayName("a null comment content → validation")
    void nullContent() {
      assertThat(rejection(EntityType.COMMENT, comment().putNull("content")).code()).isEqualTo(Rejection.VALIDATION);
    }

    @Test
    @DisplayName("a filename over 255 characters → validation")
    void filenameLength() {
      assertThat(parse(EntityType.ATTACHMENT, attachment().put("filename", "f".repeat(255))).id()).isEqualTo("a1");
      assertThat(rejection(EntityType.ATTACHMENT, attachment().put("filename", "f".repeat(256))).code())
          .isEqualTo(Rejection.VALIDATION);
    }

    @Test
    @DisplayName("a negative or fractional attachment size → validation")
    void attachmentSize() {
      assertThat(parse(EntityType.ATTACHMENT, attachment().put("size", 0)).fields().getLong("size")).isZero();
      assertThat(rejection(EntityType.ATTACHMENT, attachment().put("size", -1)).code()).isEqualTo(Rejection.VALIDATION);
      assertThat(rejection(EntityType.ATTACHMENT, attachment().put("size", 1.5)).code()).isEqualTo(Rejection.VALIDATION);
    }
  }

  @Nested
  @DisplayName("a delete item")
  class DeleteItem {

    @Test
    @DisplayName("needs only id, operation and vectorClock")
    void minimalDelete() {
      JsonObject raw = new JsonObject().put("id", "c1").put("operation", "delete").put("vectorClock", clock());
      PushItem item = parse(EntityType.COMMENT, raw);

      assertThat(item.isDelete()).isTrue();
      assertThat(item.fields().isEmpty()).isTrue();
    }

    @Test
    @DisplayName("ignores the entity fields it carries along")
    void deleteIgnoresFields() {
      PushItem item = parseTask(task().put("operation", "delete").put("status", "done"));

      assertThat(item.isDelete()).isTrue();
      assertThat(item.fields().isEmpty()).isTrue();
    }

    @Test
    @DisplayName("still needs a vectorClock")
    void deleteNeedsClock() {
      assertValidation(new JsonObject().put("id", "t1").put("operation", "delete"));
    }
  }

  @Nested
  @DisplayName("queue-item form {entityType, entityId, operation, priority, payload}")
  class QueueItem {

    private JsonObject queueItem(JsonObject payload) {
      return new JsonObject().put("entityType", "task").put("entityId", "t1").put("operation", "update")
          .put("priority", 3).put("payload", payload);
    }

    @Test
    @DisplayName("is read as the flat form")
    void readAsFlat() {
      PushItem item = parseTask(queueItem(task()));

      assertThat(item.id()).isEqualTo("t1");
      assertThat(item.operation()).isEqualTo(Operation.UPDATE);
      assertThat(item.priority()).isEqualTo(3);
      assertThat(item.fields()).isEqualTo(new JsonObject().put("title", "Buy milk"));
      assertThat(item.clock()).isEqualTo(VectorClock.of(Map.of("dev-a", 1L)));
    }

    @Test
    @DisplayName("takes the id from entityId when the payload has none")
    void payloadWithoutId() {
      JsonObject payload = task();
      payload.remove("id");

      assertThat(parseTask(queueItem(payload)).id()).isEqualTo("t1");
    }

    @Test
    @DisplayName("a payload.id that differs from entityId → validation")
    void payloadIdDiffers() {
      Rejection rejection = taskRejection(queueItem(task().put("id", "t2")));

      assertThat(rejection.code()).isEqualTo(Rejection.VALIDATION);
      assertThat(rejection.entityId()).isEqualTo("t1");
    }

    @Test
    @DisplayName("ignores the queue's bookkeeping keys id, createdAt, retryCount, status, lastAttemptAt")
    void bookkeepingIgnored() {
      JsonObject raw = queueItem(task()).put("id", "queue-17").put("createdAt", 5L).put("retryCount", 3)
          .put("status", "pending").put("lastAttemptAt", 9L);
      PushItem item = parseTask(raw);

      assertThat(item.id()).isEqualTo("t1");
      assertThat(item.fields()).isEqualTo(new JsonObject().put("title", "Buy milk"));
    }

    @Test
    @DisplayName("uses the queue item's vectorClock when the payload has none")
    void clockFromQueueItem() {
      JsonObject payload = task();
      payload.remove("vectorClock");
      PushItem item = parseTask(queueItem(payload).put("vectorClock", new JsonObject().put("dev-q", 4)));

      assertThat(item.clock()).isEqualTo(VectorClock.of(Map.of("dev-q", 4L)));
    }

    @Test
    @DisplayName("an invalid entityId → validation echoing it as sent")
    void invalidEntityId() {
      Rejection rejection = taskRejection(queueItem(task()).put("entityId", "bad id"));

      assertThat(rejection.code()).isEqualTo(Rejection.VALIDATION);
      assertThat(rejection.entityId()).isEqualTo("bad id");
    }

    @Test
    @DisplayName("an entityId of 2,000 characters → echoed cut to 1,024")
    void longEntityIdIsCut() {
      assertThat(taskRejection(queueItem(task()).put("entityId", "e".repeat(2000))).entityId())
          .isEqualTo("e".repeat(1024));
    }

    @Test
    @DisplayName("an entityId that is not a string → validation with entityId null")
    void nonStringEntityId() {
      Rejection rejection = taskRejection(queueItem(task()).put("entityId", 7));

      assertThat(rejection.code()).isEqualTo(Rejection.VALIDATION);
      assertThat(rejection.entityId()).isNull();
    }

    @Test
    @DisplayName("an entityType other than the changes key → validation")
    void entityTypeMismatch() {
      assertValidation(queueItem(task()).put("entityType", "attachment"));
    }

    @Test
    @DisplayName("a payload that is not an object → validation")
    void payloadNotObject() {
      assertValidation(queueItem(task()).put("payload", "oops"));
    }

    @Test
    @DisplayName("a delete needs no payload fields")
    void queueDelete() {
      JsonObject raw = new JsonObject().put("entityType", "comment").put("entityId", "c1")
          .put("operation", "delete").put("vectorClock", clock()).put("payload", new JsonObject());

      assertThat(parse(EntityType.COMMENT, raw).isDelete()).isTrue();
    }

    @Test
    @DisplayName("a declared checksum is the payload's")
    void checksumOfPayload() {
      JsonObject payload = task();
      payload.put("checksum", Checksums.of(payload));

      assertThat(verifying.parse(EntityType.TASK, queueItem(payload), 0).id()).isEqualTo("t1");
      assertThat(rejection(verifying, EntityType.TASK, queueItem(payload.copy().put("title", "changed"))).code())
          .isEqualTo(Rejection.CHECKSUM_MISMATCH);
    }
  }

  @Nested
  @DisplayName("checksums with checksumAlgorithm jcs-sha256")
  class DeclaredChecksums {

    @Test
    @DisplayName("a matching checksum is accepted")
    void matching() {
      JsonObject raw = task();
      raw.put("checksum", Checksums.of(raw));

      assertThat(verifying.parse(EntityType.TASK, raw, 0).id()).isEqualTo("t1");
    }

    @Test
    @DisplayName("a matching checksum ignores operation, priority, changedFields and '_' keys")
    void checksumExclusions() {
      JsonObject raw = task();
      String sum = Checksums.of(raw);
      raw.put("checksum", sum).put("operation", "update").put("priority", 2)
          .put("changedFields", new JsonArray().add("title")).put("_dirty", true);

      assertThat(verifying.parse(EntityType.TASK, raw, 0).id()).isEqualTo("t1");
    }

    @Test
    @DisplayName("an item without checksum is applied unchecked")
    void missingChecksum() {
      assertThat(verifying.parse(EntityType.TASK, task(), 0).id()).isEqualTo("t1");
    }

    @Test
    @DisplayName("a wrong checksum → checksum_mismatch")
    void wrongChecksum() {
      JsonObject raw = task();
      raw.put("checksum", Checksums.of(raw)).put("title", "tampered");
      Rejection rejection = rejection(verifying, EntityType.TASK, raw);

      assertThat(rejection.code()).isEqualTo(Rejection.CHECKSUM_MISMATCH);
      assertThat(rejection.entityId()).isEqualTo("t1");
      assertThat(rejection.retryable()).isFalse();
    }

    @Test
    @DisplayName("a non-string checksum → checksum_mismatch")
    void nonStringChecksum() {
      assertThat(rejection(verifying, EntityType.TASK, task().put("checksum", 12345)).code())
          .isEqualTo(Rejection.CHECKSUM_MISMATCH);
      assertThat(rejection(verifying, EntityType.TASK, task().put("checksum", new JsonObject())).code())
          .isEqualTo(Rejection.CHECKSUM_MISMATCH);
    }

    @Test
    @DisplayName("without the declaration a wrong checksum is ignored")
    void notDeclared() {
      assertThat(parseTask(task().put("checksum", "whatever the design's client computed")).id()).isEqualTo("t1");
    }
  }

  @Nested
  @DisplayName("computed priority (§7 rules)")
  class ComputedPriority {

    private int taskUpdatePriority(String field, Object value) {
      return parseTask(new JsonObject().put("id", "t1").put("vectorClock", clock()).put(field, value)).priority();
    }

    @Test
    @DisplayName("a task create is 1")
    void taskCreate() {
      assertThat(parseTask(task().put("operation", "create")).priority()).isEqualTo(1);
    }

    @Test
    @DisplayName("an attachment create is 1")
    void attachmentCreate() {
      assertThat(parse(EntityType.ATTACHMENT, attachment().put("operation", "create")).priority()).isEqualTo(1);
    }

    @Test
    @DisplayName("a status change is 1")
    void statusChange() {
      assertThat(taskUpdatePriority("status", "done")).isEqualTo(1);
    }

    @Test
    @DisplayName("an assignment is 2")
    void assignment() {
      assertThat(taskUpdatePriority("assignedTo", "bob")).isEqualTo(2);
    }

    @Test
    @DisplayName("a title change is 2")
    void title() {
      assertThat(taskUpdatePriority("title", "New")).isEqualTo(2);
    }

    @Test
    @DisplayName("a comment create is 2")
    void commentCreate() {
      assertThat(parse(EntityType.COMMENT, comment().put("operation", "create")).priority()).isEqualTo(2);
    }

    @Test
    @DisplayName("a comment delete is 2")
    void commentDelete() {
      JsonObject raw = new JsonObject().put("id", "c1").put("operation", "delete").put("vectorClock", clock());
      assertThat(parse(EntityType.COMMENT, raw).priority()).isEqualTo(2);
    }

    @Test
    @DisplayName("description, dueDate and completedAt changes are 3")
    void descriptionDueCompleted() {
      assertThat(taskUpdatePriority("description", "more")).isEqualTo(3);
      assertThat(taskUpdatePriority("dueDate", 1L)).isEqualTo(3);
      assertThat(taskUpdatePriority("completedAt", 1L)).isEqualTo(3);
    }

    @Test
    @DisplayName("a comment content update is 3")
    void commentContent() {
      JsonObject raw = new JsonObject().put("id", "c1").put("content", "edited").put("vectorClock", clock());
      assertThat(parse(EntityType.COMMENT, raw).priority()).isEqualTo(3);
    }

    @Test
    @DisplayName("tags and customFields changes are 4")
    void tagsCustomFields() {
      assertThat(taskUpdatePriority("tags", new JsonArray().add("x"))).isEqualTo(4);
      assertThat(taskUpdatePriority("customFields", new JsonObject())).isEqualTo(4);
    }

    @Test
    @DisplayName("anything else is 5 (position)")
    void anythingElse() {
      assertThat(taskUpdatePriority("position", 3)).isEqualTo(5);
    }

    @Test
    @DisplayName("the most urgent rule wins when several fields change")
    void mostUrgentWins() {
      PushItem item = parseTask(new JsonObject().put("id", "t1").put("vectorClock", clock())
          .put("tags", new JsonArray()).put("description", "d").put("assignedTo", "bob"));
      assertThat(item.priority()).isEqualTo(2);
    }

    @Test
    @DisplayName("changedFields, when given, decides instead of the fields present")
    void changedFieldsHint() {
      PushItem item = parseTask(task().put("status", "open").put("tags", new JsonArray())
          .put("changedFields", new JsonArray().add("tags")));
      assertThat(item.priority()).isEqualTo(4);
    }

    @Test
    @DisplayName("a declared priority overrides the rules")
    void declaredOverrides() {
      assertThat(parseTask(task().put("operation", "create").put("priority", 5)).priority()).isEqualTo(5);
    }
  }

  @Test
  @DisplayName("a pushed item survives a round trip through its event-bus JSON form")
  void pushItemJsonRoundTrip() {
    PushItem item = parser.parse(EntityType.COMMENT, comment().put("operation", "create"), 4);

    assertThat(PushItem.fromJson(item.toJson())).isEqualTo(item);
  }

  @Test
  @DisplayName("rejections inside a batch do not stop the other items")
  void rejectionsAreItemLevel() {
    BatchPreparer preparer = new BatchPreparer(500);
    JsonObject body = new JsonObject().put("deviceId", "dev-a").put("changes", new JsonObject()
        .put("task", new JsonArray(List.of(task(), task().put("id", "t2").put("colour", "red"),
            task().put("id", "t3").put("organizationId", "org-2"), new JsonObject().put("title", "no id"))))
        .put("comment", new JsonArray().add(comment())));

    PreparedBatch batch = preparer.prepare(ALICE, null, body);

    assertThat(batch.items()).extracting(PushItem::id).containsExactly("t1", "c1");
    assertThat(batch.rejected()).extracting(Rejection::entityId).containsExactly("t2", "t3", null);
    assertThat(batch.rejected()).extracting(Rejection::code)
        .containsExactly(Rejection.VALIDATION, Rejection.FORBIDDEN, Rejection.VALIDATION);
  }
}
