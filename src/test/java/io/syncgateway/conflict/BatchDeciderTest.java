package io.syncgateway.conflict;

import static org.assertj.core.api.Assertions.assertThat;

import io.syncgateway.auth.Principal;
import io.syncgateway.auth.Role;
import io.syncgateway.entity.Operation;
import io.syncgateway.batch.PushItem;
import io.syncgateway.batch.Rejection;
import io.syncgateway.checksum.Checksums;
import io.syncgateway.clock.VectorClock;
import io.syncgateway.entity.EntityRow;
import io.syncgateway.entity.EntityType;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The push outcome table of PROTOCOL.md §3 (AFTER / EQUAL / BEFORE / CONCURRENT), deletes and
 * tombstones, cascades (Appendix A rule 3), resurrection (rule 2) and comment permissions (§2).
 */
@DisplayName("BatchDecider")
class BatchDeciderTest {
  private static final String ORG = "org-1";
  private static final String DEVICE = "dev-a";
  private static final long NOW = 1_732_550_000_000L;
  private static final long EARLIER = 1_700_000_000_000L;
  private static final long DELETED_AT = 1_710_000_000_000L;

  private static final Principal ALICE = new Principal("alice", ORG, Role.MEMBER);
  private static final Principal BOB = new Principal("bob", ORG, Role.MEMBER);
  private static final Principal ADMIN = new Principal("root", ORG, Role.ADMIN);

  // ---------------------------------------------------------------- helpers

  /** A clock from alternating device ids and counters: clock("a", 1, "b", 2). */
  private static VectorClock clock(Object... entries) {
    Map<String, Long> map = new LinkedHashMap<>();
    for (int i = 0; i < entries.length; i += 2) {
      map.put((String) entries[i], ((Number) entries[i + 1]).longValue());
    }
    return VectorClock.of(map);
  }

  private static PushItem item(int index, EntityType type, String id, Operation op, VectorClock clock,
      JsonObject fields) {
    return new PushItem(type, id, op, clock, 5, fields, index);
  }

  private static PushItem update(int index, EntityType type, String id, VectorClock clock, JsonObject fields) {
    return item(index, type, id, Operation.UPDATE, clock, fields);
  }

  private static PushItem delete(int index, EntityType type, String id, VectorClock clock) {
    return item(index, type, id, Operation.DELETE, clock, new JsonObject());
  }

  private static JsonObject fields(Object... entries) {
    JsonObject json = new JsonObject();
    for (int i = 0; i < entries.length; i += 2) {
      json.put((String) entries[i], entries[i + 1]);
    }
    return json;
  }

  /** A live stored row, with the checksum the persistence layer would have stored. */
  private static EntityRow live(EntityType type, String id, JsonObject data, VectorClock clock, long version,
      String createdBy) {
    return new EntityRow(type, id, data, clock, version, EARLIER, createdBy, EARLIER + 1, createdBy,
        "dev-old", null, null, null, null).withComputedChecksum(ORG);
  }

  private static EntityRow tombstone(EntityType type, String id, VectorClock clock, long version) {
    return new EntityRow(type, id, new JsonObject(), clock, version, EARLIER, "carol", DELETED_AT, "carol",
        "dev-old", DELETED_AT, "carol", "dev-old", null).withComputedChecksum(ORG);
  }

  private static EntityRow liveTask(String id, VectorClock clock) {
    return live(EntityType.TASK, id, fields("title", "Stored title"), clock, 3, "carol");
  }

  private static Decision decide(Principal who, List<PushItem> items, List<EntityRow> stored) {
    return BatchDecider.decide(who, DEVICE, NOW, items, stored, List.of());
  }

  private static Decision decide(List<PushItem> items, List<EntityRow> stored) {
    return decide(ALICE, items, stored);
  }

  private static Optional<EntityRow> written(Decision decision, EntityType type, String id) {
    return decision.writes().stream().filter(row -> row.type() == type && row.id().equals(id)).findFirst();
  }

  private static EntityRow onlyWrite(Decision decision) {
    assertThat(decision.writes()).hasSize(1);
    return decision.writes().get(0);
  }

  private static Rejection onlyRejection(Decision decision) {
    assertThat(decision.rejected()).hasSize(1);
    return decision.rejected().get(0);
  }

  private static int outcomeCount(Decision decision) {
    return decision.applied() + decision.acknowledged() + decision.conflicts().size()
        + decision.superseded().size() + decision.rejected().size();
  }

  private static void assertNothingElseHappened(Decision decision) {
    assertThat(outcomeCount(decision)).as("every item in exactly one bucket").isEqualTo(1);
  }

  // ---------------------------------------------------------------- creates

  @Nested
  @DisplayName("an item for an entity the server does not have")
  class Create {

    @Test
    @DisplayName("is applied as a create with version 1 and the caller as creator")
    void createsEntity() {
      Decision decision = decide(
          List.of(item(0, EntityType.TASK, "t1", Operation.CREATE, clock(DEVICE, 1), fields("title", "Buy milk"))),
          List.of());

      assertThat(decision.applied()).isEqualTo(1);
      assertNothingElseHappened(decision);
      EntityRow row = onlyWrite(decision);
      assertThat(row.type()).isEqualTo(EntityType.TASK);
      assertThat(row.id()).isEqualTo("t1");
      assertThat(row.data()).isEqualTo(fields("title", "Buy milk"));
      assertThat(row.clock()).isEqualTo(clock(DEVICE, 1));
      assertThat(row.version()).isEqualTo(1);
      assertThat(row.createdAt()).isEqualTo(NOW);
      assertThat(row.createdBy()).isEqualTo("alice");
      assertThat(row.updatedAt()).isEqualTo(NOW);
      assertThat(row.lastModifiedBy()).isEqualTo("alice");
      assertThat(row.lastModifiedDevice()).isEqualTo(DEVICE);
      assertThat(row.isDeleted()).isFalse();
    }

    @Test
    @DisplayName("is a create whatever its operation says (update here)")
    void updateOfUnknownEntityCreates() {
      Decision decision = decide(
          List.of(update(0, EntityType.TASK, "t1", clock(DEVICE, 1), fields("title", "Buy milk"))), List.of());

      assertThat(decision.applied()).isEqualTo(1);
      assertThat(onlyWrite(decision).version()).isEqualTo(1);
      assertThat(onlyWrite(decision).createdBy()).isEqualTo("alice");
    }

    @Test
    @DisplayName("carries the checksum of the entity as clients will receive it")
    void writtenRowHasChecksum() {
      EntityRow row = onlyWrite(decide(
          List.of(update(0, EntityType.TASK, "t1", clock(DEVICE, 1), fields("title", "Buy milk"))), List.of()));

      assertThat(row.checksum()).isNotNull().isEqualTo(Checksums.of(row.entityWithoutChecksum(ORG)));
    }

    @Test
    @DisplayName("without a required field (task title) is rejected 'validation' and nothing is written")
    void createWithoutTitleRejected() {
      Decision decision = decide(
          List.of(update(0, EntityType.TASK, "t1", clock(DEVICE, 1), fields("description", "no title"))),
          List.of());

      Rejection rejection = onlyRejection(decision);
      assertThat(rejection.code()).isEqualTo(Rejection.VALIDATION);
      assertThat(rejection.entityId()).isEqualTo("t1");
      assertThat(rejection.type()).isEqualTo(EntityType.TASK);
      assertThat(rejection.retryable()).isFalse();
      assertThat(rejection.message()).contains("title");
      assertThat(decision.writes()).isEmpty();
      assertNothingElseHappened(decision);
    }

    @Test
    @DisplayName("of a comment without content is rejected 'validation'")
    void commentCreateWithoutContentRejected() {
      Decision decision = decide(
          List.of(update(0, EntityType.COMMENT, "c1", clock(DEVICE, 1), fields("taskId", "t1"))),
          List.of(liveTask("t1", clock("x", 1))));

      assertThat(onlyRejection(decision).code()).isEqualTo(Rejection.VALIDATION);
      assertThat(onlyRejection(decision).message()).contains("content");
      assertThat(decision.writes()).isEmpty();
    }

    @Test
    @DisplayName("of an attachment without filename is rejected 'validation'")
    void attachmentCreateWithoutFilenameRejected() {
      Decision decision = decide(
          List.of(update(0, EntityType.ATTACHMENT, "a1", clock(DEVICE, 1), fields("taskId", "t1", "size", 10))),
          List.of(liveTask("t1", clock("x", 1))));

      assertThat(onlyRejection(decision).code()).isEqualTo(Rejection.VALIDATION);
      assertThat(onlyRejection(decision).message()).contains("filename");
    }

    @Test
    @DisplayName("does not store fields the item sets to null")
    void createDropsNullFields() {
      EntityRow row = onlyWrite(decide(List.of(update(0, EntityType.TASK, "t1", clock(DEVICE, 1),
          fields("title", "T", "description", null))), List.of()));

      assertThat(row.data().fieldNames()).containsExactly("title");
    }
  }

  // ---------------------------------------------------------------- outcome table against a live entity

  @Nested
  @DisplayName("an item AFTER the stored entity")
  class After {
    private final EntityRow stored = live(EntityType.TASK, "t1",
        fields("title", "Old title", "description", "Old description", "status", "open"),
        clock("dev-b", 2), 4, "carol");

    private Decision push(JsonObject changes) {
      return decide(BOB, List.of(update(0, EntityType.TASK, "t1", clock("dev-b", 2, DEVICE, 1), changes)),
          List.of(stored));
    }

    @Test
    @DisplayName("is applied and the stored clock becomes the item's clock")
    void appliedWithItemClock() {
      Decision decision = push(fields("title", "New title"));

      assertThat(decision.applied()).isEqualTo(1);
      assertNothingElseHappened(decision);
      assertThat(onlyWrite(decision).clock()).isEqualTo(clock("dev-b", 2, DEVICE, 1));
    }

    @Test
    @DisplayName("increments the version by one")
    void versionIncremented() {
      assertThat(onlyWrite(push(fields("title", "New title"))).version()).isEqualTo(5);
    }

    @Test
    @DisplayName("overwrites present fields, keeps absent ones and clears null ones")
    void fieldsMerged() {
      EntityRow row = onlyWrite(push(fields("title", "New title", "status", null, "tags", List.of("x"))));

      assertThat(row.data().getString("title")).isEqualTo("New title");
      assertThat(row.data().getString("description")).isEqualTo("Old description");
      assertThat(row.data().containsKey("status")).as("status cleared").isFalse();
      assertThat(row.data().getJsonArray("tags").getList()).containsExactly("x");
    }

    @Test
    @DisplayName("keeps createdAt/createdBy and sets updatedAt, lastModifiedBy and lastModifiedDevice")
    void serverFields() {
      EntityRow row = onlyWrite(push(fields("title", "New title")));

      assertThat(row.createdAt()).isEqualTo(EARLIER);
      assertThat(row.createdBy()).isEqualTo("carol");
      assertThat(row.updatedAt()).isEqualTo(NOW);
      assertThat(row.lastModifiedBy()).isEqualTo("bob");
      assertThat(row.lastModifiedDevice()).isEqualTo(DEVICE);
    }

    @Test
    @DisplayName("recomputes the checksum for the new state")
    void checksumRecomputed() {
      EntityRow row = onlyWrite(push(fields("title", "New title")));

      assertThat(row.checksum()).isNotEqualTo(stored.checksum())
          .isEqualTo(Checksums.of(row.entityWithoutChecksum(ORG)));
    }

    @Test
    @DisplayName("does not modify the stored row it was given")
    void storedRowUntouched() {
      JsonObject before = stored.data().copy();
      push(fields("title", "New title", "status", null));

      assertThat(stored.data()).isEqualTo(before);
    }
  }

  @Nested
  @DisplayName("an item whose clock is EQUAL to the stored clock")
  class Equal {

    @Test
    @DisplayName("is acknowledged and nothing is written (idempotent retry)")
    void acknowledged() {
      Decision decision = decide(
          List.of(update(0, EntityType.TASK, "t1", clock("dev-b", 2), fields("title", "Retry"))),
          List.of(liveTask("t1", clock("dev-b", 2))));

      assertThat(decision.acknowledged()).isEqualTo(1);
      assertThat(decision.applied()).isZero();
      assertThat(decision.writes()).isEmpty();
      assertNothingElseHappened(decision);
    }

    @Test
    @DisplayName("counts zero entries as absent ({b:2, a:0} equals {b:2})")
    void zeroEntriesIgnored() {
      Decision decision = decide(
          List.of(update(0, EntityType.TASK, "t1", clock("dev-b", 2, DEVICE, 0), fields("title", "Retry"))),
          List.of(liveTask("t1", clock("dev-b", 2))));

      assertThat(decision.acknowledged()).isEqualTo(1);
      assertThat(decision.writes()).isEmpty();
    }
  }

  @Nested
  @DisplayName("an item BEFORE the stored clock")
  class Before {

    @Test
    @DisplayName("is superseded with the server's clock and nothing is written")
    void superseded() {
      Decision decision = decide(
          List.of(update(0, EntityType.TASK, "t1", clock("dev-b", 1), fields("title", "Stale"))),
          List.of(liveTask("t1", clock("dev-b", 2, "dev-c", 1))));

      assertThat(decision.superseded()).hasSize(1);
      JsonObject entry = decision.superseded().getJsonObject(0);
      assertThat(entry.getString("entityType")).isEqualTo("task");
      assertThat(entry.getString("entityId")).isEqualTo("t1");
      assertThat(entry.getJsonObject("serverVectorClock"))
          .isEqualTo(new JsonObject().put("dev-b", 2L).put("dev-c", 1L));
      assertThat(decision.writes()).isEmpty();
      assertNothingElseHappened(decision);
    }
  }

  @Nested
  @DisplayName("an item CONCURRENT with the stored clock")
  class Concurrent {
    private final EntityRow stored = live(EntityType.TASK, "t1",
        fields("title", "Theirs", "status", "done"), clock("dev-b", 3), 7, "carol");

    private Decision push() {
      return decide(List.of(update(0, EntityType.TASK, "t1", clock(DEVICE, 1), fields("title", "Mine"))),
          List.of(stored));
    }

    @Test
    @DisplayName("is a conflict and nothing is written")
    void conflictNotApplied() {
      Decision decision = push();

      assertThat(decision.conflicts()).hasSize(1);
      assertThat(decision.writes()).isEmpty();
      assertNothingElseHappened(decision);
    }

    @Test
    @DisplayName("names the entity, the reason, and is not auto-resolvable")
    void conflictEntry() {
      JsonObject conflict = push().conflicts().getJsonObject(0);

      assertThat(conflict.getString("entityType")).isEqualTo("task");
      assertThat(conflict.getString("entityId")).isEqualTo("t1");
      assertThat(conflict.getString("reason")).isEqualTo("Concurrent modification detected");
      assertThat(conflict.getBoolean("autoResolvable")).isFalse();
      assertThat(conflict.getJsonObject("serverVectorClock")).isEqualTo(new JsonObject().put("dev-b", 3L));
    }

    @Test
    @DisplayName("returns the full current entity, with a checksum that verifies, as serverVersion")
    void conflictServerVersion() {
      JsonObject serverVersion = push().conflicts().getJsonObject(0).getJsonObject("serverVersion");

      assertThat(serverVersion.getString("id")).isEqualTo("t1");
      assertThat(serverVersion.getString("title")).isEqualTo("Theirs");
      assertThat(serverVersion.getString("status")).isEqualTo("done");
      assertThat(serverVersion.getLong("version")).isEqualTo(7);
      assertThat(serverVersion.getString("createdBy")).isEqualTo("carol");
      assertThat(serverVersion.getString("organizationId")).isEqualTo(ORG);
      assertThat(serverVersion.getJsonObject("vectorClock")).isEqualTo(new JsonObject().put("dev-b", 3L));
      assertThat(serverVersion.getString("checksum")).isNotNull().isEqualTo(Checksums.of(serverVersion));
    }
  }

  // ---------------------------------------------------------------- deletes and tombstones

  @Nested
  @DisplayName("a delete")
  class Deletes {

    @Test
    @DisplayName("of an entity the server never had is applied as a tombstone")
    void deleteUnknownRecordsTombstone() {
      Decision decision = decide(List.of(delete(0, EntityType.TASK, "t1", clock(DEVICE, 1))), List.of());

      assertThat(decision.applied()).isEqualTo(1);
      assertNothingElseHappened(decision);
      EntityRow row = onlyWrite(decision);
      assertThat(row.isDeleted()).isTrue();
      assertThat(row.deletedAt()).isEqualTo(NOW);
      assertThat(row.deletedBy()).isEqualTo("alice");
      assertThat(row.deletedFromDevice()).isEqualTo(DEVICE);
      assertThat(row.clock()).isEqualTo(clock(DEVICE, 1));
    }

    @Test
    @DisplayName("AFTER a live entity replaces it with a tombstone holding no domain fields")
    void deleteLiveAfter() {
      Decision decision = decide(List.of(delete(0, EntityType.TASK, "t1", clock("x", 1, DEVICE, 1))),
          List.of(liveTask("t1", clock("x", 1))));

      assertThat(decision.applied()).isEqualTo(1);
      EntityRow row = onlyWrite(decision);
      assertThat(row.isDeleted()).isTrue();
      assertThat(row.data().isEmpty()).isTrue();
      assertThat(row.version()).isEqualTo(4);
      assertThat(row.clock()).isEqualTo(clock("x", 1, DEVICE, 1));
      assertThat(row.deletedAt()).isEqualTo(NOW);
      assertThat(row.deletedBy()).isEqualTo("alice");
      assertThat(row.deletedFromDevice()).isEqualTo(DEVICE);
    }

    @Test
    @DisplayName("tombstone carries the checksum of its serverVersion form")
    void tombstoneChecksum() {
      EntityRow row = onlyWrite(decide(List.of(delete(0, EntityType.TASK, "t1", clock(DEVICE, 1))), List.of()));

      assertThat(row.checksum()).isEqualTo(row.deletedServerVersion().getString("checksum"));
    }

    @Test
    @DisplayName("CONCURRENT with a stored update is a conflict returning the live entity")
    void deleteConcurrentWithUpdate() {
      EntityRow stored = liveTask("t1", clock("dev-b", 2));
      Decision decision = decide(List.of(delete(0, EntityType.TASK, "t1", clock(DEVICE, 1))), List.of(stored));

      assertThat(decision.conflicts()).hasSize(1);
      JsonObject serverVersion = decision.conflicts().getJsonObject(0).getJsonObject("serverVersion");
      assertThat(serverVersion.getString("title")).isEqualTo("Stored title");
      assertThat(serverVersion.containsKey("deleted")).isFalse();
      assertThat(decision.writes()).isEmpty();
      assertNothingElseHappened(decision);
    }

    @Test
    @DisplayName("BEFORE the stored entity is superseded")
    void deleteBefore() {
      Decision decision = decide(List.of(delete(0, EntityType.TASK, "t1", clock("dev-b", 1))),
          List.of(liveTask("t1", clock("dev-b", 2))));

      assertThat(decision.superseded()).hasSize(1);
      assertThat(decision.writes()).isEmpty();
    }

    @Test
    @DisplayName("EQUAL to a tombstone is acknowledged and nothing is written")
    void deleteEqualToTombstone() {
      Decision decision = decide(List.of(delete(0, EntityType.TASK, "t1", clock(DEVICE, 3))),
          List.of(tombstone(EntityType.TASK, "t1", clock(DEVICE, 3), 2)));

      assertThat(decision.acknowledged()).isEqualTo(1);
      assertThat(decision.writes()).isEmpty();
      assertNothingElseHappened(decision);
    }

    @Test
    @DisplayName("AFTER a tombstone is applied: the tombstone's clock and deletedAt are updated")
    void deleteAfterTombstone() {
      Decision decision = decide(List.of(delete(0, EntityType.TASK, "t1", clock(DEVICE, 3, "dev-b", 1))),
          List.of(tombstone(EntityType.TASK, "t1", clock(DEVICE, 3), 2)));

      assertThat(decision.applied()).isEqualTo(1);
      EntityRow row = onlyWrite(decision);
      assertThat(row.isDeleted()).isTrue();
      assertThat(row.clock()).isEqualTo(clock(DEVICE, 3, "dev-b", 1));
      assertThat(row.deletedAt()).isEqualTo(NOW);
      assertThat(row.version()).isEqualTo(3);
    }
  }

  @Nested
  @DisplayName("an item against a tombstone")
  class AgainstTombstone {
    private final EntityRow stone = new EntityRow(EntityType.TASK, "t1",
        fields("title", "Before delete", "description", "old life"), clock("dev-b", 2), 6, EARLIER, "carol",
        DELETED_AT, "carol", "dev-old", DELETED_AT, "carol", "dev-old", null).withComputedChecksum(ORG);

    @Test
    @DisplayName("AFTER it brings the entity back with the version still counting up")
    void resurrection() {
      Decision decision = decide(BOB,
          List.of(update(0, EntityType.TASK, "t1", clock("dev-b", 2, DEVICE, 1), fields("title", "Again"))),
          List.of(stone));

      assertThat(decision.applied()).isEqualTo(1);
      EntityRow row = onlyWrite(decision);
      assertThat(row.isDeleted()).isFalse();
      assertThat(row.deletedAt()).isNull();
      assertThat(row.version()).isEqualTo(7);
      assertThat(row.clock()).isEqualTo(clock("dev-b", 2, DEVICE, 1));
    }

    @Test
    @DisplayName("AFTER it gives the new life its own createdAt/createdBy")
    void resurrectionCreatedFields() {
      EntityRow row = onlyWrite(decide(BOB,
          List.of(update(0, EntityType.TASK, "t1", clock("dev-b", 2, DEVICE, 1), fields("title", "Again"))),
          List.of(stone)));

      assertThat(row.createdAt()).isEqualTo(NOW);
      assertThat(row.createdBy()).isEqualTo("bob");
      assertThat(row.lastModifiedBy()).isEqualTo("bob");
    }

    @Test
    @DisplayName("AFTER it keeps nothing of the fields from before the delete")
    void resurrectionKeepsNothing() {
      EntityRow row = onlyWrite(decide(
          List.of(update(0, EntityType.TASK, "t1", clock("dev-b", 2, DEVICE, 1), fields("title", "Again"))),
          List.of(stone)));

      assertThat(row.data()).isEqualTo(fields("title", "Again"));
    }

    @Test
    @DisplayName("AFTER it needs the fields required on create")
    void resurrectionNeedsRequiredFields() {
      Decision decision = decide(
          List.of(update(0, EntityType.TASK, "t1", clock("dev-b", 2, DEVICE, 1), fields("status", "open"))),
          List.of(stone));

      assertThat(onlyRejection(decision).code()).isEqualTo(Rejection.VALIDATION);
      assertThat(decision.writes()).isEmpty();
      assertNothingElseHappened(decision);
    }

    @Test
    @DisplayName("BEFORE it is superseded with the tombstone's clock")
    void beforeTombstone() {
      Decision decision = decide(
          List.of(update(0, EntityType.TASK, "t1", clock("dev-b", 1), fields("title", "Stale"))),
          List.of(stone));

      assertThat(decision.superseded()).hasSize(1);
      assertThat(decision.superseded().getJsonObject(0).getJsonObject("serverVectorClock"))
          .isEqualTo(new JsonObject().put("dev-b", 2L));
      assertThat(decision.writes()).isEmpty();
    }

    @Test
    @DisplayName("CONCURRENT with it is a conflict whose serverVersion is {id, deleted, deletedAt, vectorClock, checksum}")
    void concurrentWithTombstone() {
      Decision decision = decide(
          List.of(update(0, EntityType.TASK, "t1", clock(DEVICE, 1), fields("title", "Mine"))),
          List.of(stone));

      assertThat(decision.conflicts()).hasSize(1);
      assertThat(decision.writes()).isEmpty();
      JsonObject conflict = decision.conflicts().getJsonObject(0);
      JsonObject serverVersion = conflict.getJsonObject("serverVersion");
      assertThat(serverVersion.fieldNames())
          .containsExactlyInAnyOrder("id", "deleted", "deletedAt", "vectorClock", "checksum");
      assertThat(serverVersion.getString("id")).isEqualTo("t1");
      assertThat(serverVersion.getBoolean("deleted")).isTrue();
      assertThat(serverVersion.getLong("deletedAt")).isEqualTo(DELETED_AT);
      assertThat(serverVersion.getJsonObject("vectorClock")).isEqualTo(new JsonObject().put("dev-b", 2L));
      assertThat(serverVersion.getString("checksum")).isEqualTo(Checksums.of(serverVersion));
      assertThat(conflict.getJsonObject("serverVectorClock")).isEqualTo(new JsonObject().put("dev-b", 2L));
    }
  }

  // ---------------------------------------------------------------- cascade and parents

  @Nested
  @DisplayName("deleting a task")
  class Cascade {
    private final EntityRow task = liveTask("t1", clock("dev-b", 1));
    private final EntityRow comment = live(EntityType.COMMENT, "c1",
        fields("taskId", "t1", "content", "hello"), clock("dev-b", 2, "dev-c", 4), 2, "bob");
    private final EntityRow attachment = live(EntityType.ATTACHMENT, "a1",
        fields("taskId", "t1", "filename", "f.png"), clock("dev-c", 1), 1, "carol");
    private final VectorClock deleteClock = clock("dev-b", 1, DEVICE, 1, "dev-c", 2);

    private Decision deleteTask(List<PushItem> extraItems, List<EntityRow> children) {
      List<PushItem> items = new ArrayList<>(extraItems);
      items.add(delete(items.size(), EntityType.TASK, "t1", deleteClock));
      List<EntityRow> stored = new ArrayList<>(List.of(task));
      stored.addAll(children);
      return BatchDecider.decide(ALICE, DEVICE, NOW, items, stored, children);
    }

    @Test
    @DisplayName("tombstones each live comment and attachment")
    void cascadesToChildren() {
      Decision decision = deleteTask(List.of(), List.of(comment, attachment));

      assertThat(written(decision, EntityType.TASK, "t1")).hasValueSatisfying(row -> assertThat(row.isDeleted()).isTrue());
      assertThat(written(decision, EntityType.COMMENT, "c1")).hasValueSatisfying(row -> {
        assertThat(row.isDeleted()).isTrue();
        assertThat(row.deletedAt()).isEqualTo(NOW);
        assertThat(row.version()).isEqualTo(3);
      });
      assertThat(written(decision, EntityType.ATTACHMENT, "a1")).hasValueSatisfying(row -> assertThat(row.isDeleted()).isTrue());
    }

    @Test
    @DisplayName("counts only the task delete as a pushed item outcome")
    void cascadeNotCountedAsItems() {
      Decision decision = deleteTask(List.of(), List.of(comment, attachment));

      assertThat(decision.applied()).isEqualTo(1);
      assertNothingElseHappened(decision);
      assertThat(decision.writes()).hasSize(3);
    }

    @Test
    @DisplayName("gives each child tombstone the merge of the child's clock and the delete's clock")
    void cascadeClockIsMerge() {
      Decision decision = deleteTask(List.of(), List.of(comment, attachment));

      assertThat(written(decision, EntityType.COMMENT, "c1").orElseThrow().clock())
          .isEqualTo(clock("dev-b", 2, "dev-c", 4, DEVICE, 1));
      assertThat(written(decision, EntityType.ATTACHMENT, "a1").orElseThrow().clock())
          .isEqualTo(clock("dev-b", 1, DEVICE, 1, "dev-c", 2));
    }

    @Test
    @DisplayName("names the task deleter as deletedBy/deletedFromDevice, whoever wrote the children")
    void cascadeDeletedByDeleter() {
      Decision decision = deleteTask(List.of(), List.of(comment, attachment));

      EntityRow child = written(decision, EntityType.COMMENT, "c1").orElseThrow();
      assertThat(child.deletedBy()).isEqualTo("alice");
      assertThat(child.deletedFromDevice()).isEqualTo(DEVICE);
      assertThat(decision.rejected()).as("a member may cascade over someone else's comment").isEmpty();
    }

    @Test
    @DisplayName("rejects a child updated in the same batch 'missing_parent', not retryable, and still tombstones it")
    void childUpdatedInSameBatchAsDelete() {
      PushItem commentUpdate = update(0, EntityType.COMMENT, "c1", clock("dev-b", 2, "dev-c", 4, DEVICE, 1),
          fields("content", "edited"));
      Decision decision = BatchDecider.decide(BOB, DEVICE, NOW,
          List.of(commentUpdate, delete(1, EntityType.TASK, "t1", deleteClock)),
          List.of(task, comment), List.of(comment));

      Rejection rejection = onlyRejection(decision);
      assertThat(rejection.code()).isEqualTo(Rejection.MISSING_PARENT);
      assertThat(rejection.entityId()).isEqualTo("c1");
      assertThat(rejection.retryable()).isFalse();
      assertThat(written(decision, EntityType.COMMENT, "c1"))
          .hasValueSatisfying(row -> assertThat(row.isDeleted()).isTrue());
    }

    @Test
    @DisplayName("rejects a new child created in the same batch 'missing_parent', not retryable")
    void childCreatedInSameBatchAsDelete() {
      Decision decision = deleteTask(List.of(update(0, EntityType.ATTACHMENT, "a9", clock(DEVICE, 1),
          fields("taskId", "t1", "filename", "new.png"))), List.of());

      Rejection rejection = onlyRejection(decision);
      assertThat(rejection.code()).isEqualTo(Rejection.MISSING_PARENT);
      assertThat(rejection.retryable()).isFalse();
      assertThat(written(decision, EntityType.ATTACHMENT, "a9")).isEmpty();
      assertThat(outcomeCount(decision)).isEqualTo(2);
    }

    @Test
    @DisplayName("does not cascade when the task delete itself is not applied (superseded)")
    void noCascadeWhenDeleteSuperseded() {
      EntityRow newerTask = liveTask("t1", clock("dev-b", 5, DEVICE, 5, "dev-c", 5));
      Decision decision = BatchDecider.decide(ALICE, DEVICE, NOW,
          List.of(delete(0, EntityType.TASK, "t1", deleteClock)),
          List.of(newerTask, comment), List.of(comment));

      assertThat(decision.superseded()).hasSize(1);
      assertThat(decision.writes()).isEmpty();
    }
  }

  @Nested
  @DisplayName("a comment or attachment whose task")
  class Parents {

    @Test
    @DisplayName("is a tombstone is rejected 'missing_parent', not retryable")
    void parentTombstoned() {
      Decision decision = decide(
          List.of(update(0, EntityType.COMMENT, "c1", clock(DEVICE, 1), fields("taskId", "t1", "content", "hi"))),
          List.of(tombstone(EntityType.TASK, "t1", clock("x", 2), 2)));

      Rejection rejection = onlyRejection(decision);
      assertThat(rejection.code()).isEqualTo(Rejection.MISSING_PARENT);
      assertThat(rejection.retryable()).isFalse();
      assertThat(decision.writes()).isEmpty();
    }

    @Test
    @DisplayName("does not exist anywhere is rejected 'missing_parent', retryable")
    void parentUnknown() {
      Decision decision = decide(
          List.of(update(0, EntityType.ATTACHMENT, "a1", clock(DEVICE, 1), fields("taskId", "t404", "filename", "f"))),
          List.of());

      Rejection rejection = onlyRejection(decision);
      assertThat(rejection.code()).isEqualTo(Rejection.MISSING_PARENT);
      assertThat(rejection.entityId()).isEqualTo("a1");
      assertThat(rejection.type()).isEqualTo(EntityType.ATTACHMENT);
      assertThat(rejection.retryable()).isTrue();
    }

    @Test
    @DisplayName("is stored and live is applied")
    void parentStored() {
      Decision decision = decide(
          List.of(update(0, EntityType.COMMENT, "c1", clock(DEVICE, 1), fields("taskId", "t1", "content", "hi"))),
          List.of(liveTask("t1", clock("x", 1))));

      assertThat(decision.applied()).isEqualTo(1);
      assertThat(onlyWrite(decision).taskId()).isEqualTo("t1");
    }

    @Test
    @DisplayName("is created in the same batch is applied, even when the child comes first")
    void parentCreatedInSameBatchChildFirst() {
      Decision decision = decide(List.of(
          update(0, EntityType.COMMENT, "c1", clock(DEVICE, 2), fields("taskId", "t1", "content", "hi")),
          update(1, EntityType.ATTACHMENT, "a1", clock(DEVICE, 3), fields("taskId", "t1", "filename", "f")),
          update(2, EntityType.TASK, "t1", clock(DEVICE, 1), fields("title", "New task"))), List.of());

      assertThat(decision.rejected()).isEmpty();
      assertThat(decision.applied()).isEqualTo(3);
      assertThat(decision.writes()).hasSize(3);
    }

    @Test
    @DisplayName("is created in the same batch is applied when the task comes first")
    void parentCreatedInSameBatchTaskFirst() {
      Decision decision = decide(List.of(
          update(0, EntityType.TASK, "t1", clock(DEVICE, 1), fields("title", "New task")),
          update(1, EntityType.COMMENT, "c1", clock(DEVICE, 2), fields("taskId", "t1", "content", "hi"))),
          List.of());

      assertThat(decision.rejected()).isEmpty();
      assertThat(decision.applied()).isEqualTo(2);
    }

    @Test
    @DisplayName("is resurrected in the same batch is applied")
    void parentResurrectedInSameBatch() {
      Decision decision = decide(List.of(
          update(0, EntityType.COMMENT, "c1", clock(DEVICE, 5), fields("taskId", "t1", "content", "hi")),
          update(1, EntityType.TASK, "t1", clock("x", 2, DEVICE, 4), fields("title", "Back"))),
          List.of(tombstone(EntityType.TASK, "t1", clock("x", 2), 2)));

      assertThat(decision.rejected()).isEmpty();
      assertThat(decision.applied()).isEqualTo(2);
    }

    @Test
    @DisplayName("is not named by an update of a live child falls back to the stored taskId")
    void updateWithoutTaskIdUsesStoredParent() {
      EntityRow comment = live(EntityType.COMMENT, "c1", fields("taskId", "t1", "content", "hi"),
          clock("x", 1), 1, "alice");
      Decision decision = decide(
          List.of(update(0, EntityType.COMMENT, "c1", clock("x", 1, DEVICE, 1), fields("content", "edited"))),
          List.of(liveTask("t1", clock("x", 1)), comment));

      assertThat(decision.applied()).isEqualTo(1);
      assertThat(onlyWrite(decision).data()).isEqualTo(fields("taskId", "t1", "content", "edited"));
    }
  }

  // ---------------------------------------------------------------- several states of one entity

  @Nested
  @DisplayName("several states of one entity in one batch")
  class SeveralStates {

    @Test
    @DisplayName("apply the newest and supersede the older ones, whatever their order in the batch")
    void newestWins() {
      Decision decision = decide(List.of(
          update(0, EntityType.TASK, "t1", clock(DEVICE, 2), fields("title", "second")),
          update(1, EntityType.TASK, "t1", clock(DEVICE, 3), fields("title", "third")),
          update(2, EntityType.TASK, "t1", clock(DEVICE, 1), fields("title", "first"))), List.of());

      assertThat(decision.applied()).isEqualTo(1);
      assertThat(decision.superseded()).hasSize(2);
      assertThat(outcomeCount(decision)).isEqualTo(3);
      EntityRow row = onlyWrite(decision);
      assertThat(row.data().getString("title")).isEqualTo("third");
      assertThat(row.clock()).isEqualTo(clock(DEVICE, 3));
      assertThat(row.version()).isEqualTo(1);
    }

    @Test
    @DisplayName("supersede the older ones with the newest clock as serverVectorClock")
    void supersededCarryNewestClock() {
      Decision decision = decide(List.of(
          update(0, EntityType.TASK, "t1", clock(DEVICE, 3), fields("title", "third")),
          update(1, EntityType.TASK, "t1", clock(DEVICE, 2), fields("title", "second"))),
          List.of(liveTask("t1", clock(DEVICE, 1))));

      assertThat(decision.superseded()).hasSize(1);
      JsonObject entry = decision.superseded().getJsonObject(0);
      assertThat(entry.getString("entityId")).isEqualTo("t1");
      assertThat(entry.getJsonObject("serverVectorClock")).isEqualTo(new JsonObject().put(DEVICE, 3L));
      assertThat(onlyWrite(decision).version()).isEqualTo(4);
    }

    @Test
    @DisplayName("a create then a delete of the same entity leave only the tombstone")
    void createThenDelete() {
      Decision decision = decide(List.of(
          update(0, EntityType.TASK, "t1", clock(DEVICE, 1), fields("title", "short-lived")),
          delete(1, EntityType.TASK, "t1", clock(DEVICE, 2))), List.of());

      assertThat(onlyWrite(decision).isDeleted()).isTrue();
      assertThat(decision.applied()).isEqualTo(1);
      assertThat(decision.superseded()).hasSize(1);
    }
  }

  // ---------------------------------------------------------------- permissions

  @Nested
  @DisplayName("comment permissions")
  class Permissions {
    private final EntityRow task = liveTask("t1", clock("x", 1));
    private final EntityRow carolsComment = live(EntityType.COMMENT, "c1",
        fields("taskId", "t1", "content", "carol wrote this"), clock("dev-c", 1), 1, "carol");
    private final PushItem edit = update(0, EntityType.COMMENT, "c1", clock("dev-c", 1, DEVICE, 1),
        fields("content", "edited"));
    private final PushItem remove = delete(0, EntityType.COMMENT, "c1", clock("dev-c", 1, DEVICE, 1));

    @Test
    @DisplayName("a member editing someone else's comment is rejected 'forbidden'")
    void memberEditsOthersComment() {
      Decision decision = decide(BOB, List.of(edit), List.of(task, carolsComment));

      Rejection rejection = onlyRejection(decision);
      assertThat(rejection.code()).isEqualTo(Rejection.FORBIDDEN);
      assertThat(rejection.entityId()).isEqualTo("c1");
      assertThat(rejection.retryable()).isFalse();
      assertThat(decision.writes()).isEmpty();
    }

    @Test
    @DisplayName("a member deleting someone else's comment is rejected 'forbidden'")
    void memberDeletesOthersComment() {
      Decision decision = decide(BOB, List.of(remove), List.of(task, carolsComment));

      assertThat(onlyRejection(decision).code()).isEqualTo(Rejection.FORBIDDEN);
      assertThat(decision.writes()).isEmpty();
    }

    @Test
    @DisplayName("an admin may edit someone else's comment")
    void adminEdits() {
      Decision decision = decide(ADMIN, List.of(edit), List.of(task, carolsComment));

      assertThat(decision.applied()).isEqualTo(1);
      assertThat(onlyWrite(decision).data().getString("content")).isEqualTo("edited");
      assertThat(onlyWrite(decision).createdBy()).isEqualTo("carol");
    }

    @Test
    @DisplayName("an admin may delete someone else's comment")
    void adminDeletes() {
      Decision decision = decide(ADMIN, List.of(remove), List.of(task, carolsComment));

      assertThat(decision.applied()).isEqualTo(1);
      assertThat(onlyWrite(decision).isDeleted()).isTrue();
    }

    @Test
    @DisplayName("the author may edit and delete their own comment")
    void authorMay() {
      Principal carol = new Principal("carol", ORG, Role.MEMBER);

      assertThat(decide(carol, List.of(edit), List.of(task, carolsComment)).applied()).isEqualTo(1);
      assertThat(decide(carol, List.of(remove), List.of(task, carolsComment)).applied()).isEqualTo(1);
    }

    @Test
    @DisplayName("a member may edit a task someone else created")
    void memberEditsOthersTask() {
      Decision decision = decide(BOB,
          List.of(update(0, EntityType.TASK, "t1", clock("x", 1, DEVICE, 1), fields("status", "done"))),
          List.of(task));

      assertThat(decision.applied()).isEqualTo(1);
    }

    @Test
    @DisplayName("a forbidden item does not stop the rest of the batch")
    void forbiddenItemOnly() {
      PushItem ownComment = update(1, EntityType.COMMENT, "c2", clock(DEVICE, 1),
          fields("taskId", "t1", "content", "mine"));
      Decision decision = decide(BOB, List.of(edit, ownComment), List.of(task, carolsComment));

      assertThat(onlyRejection(decision).entityId()).isEqualTo("c1");
      assertThat(decision.applied()).isEqualTo(1);
      assertThat(onlyWrite(decision).id()).isEqualTo("c2");
    }
  }

  // ---------------------------------------------------------------- whole-batch invariants

  @Nested
  @DisplayName("a mixed batch")
  class MixedBatch {

    @Test
    @DisplayName("puts every item in exactly one outcome bucket")
    void everyItemInExactlyOneBucket() {
      List<EntityRow> stored = List.of(
          liveTask("t-equal", clock("x", 1)),
          liveTask("t-before", clock("x", 5)),
          liveTask("t-concurrent", clock("x", 1)),
          liveTask("t-after", clock("x", 1)),
          live(EntityType.COMMENT, "c-forbidden", fields("taskId", "t-after", "content", "c"), clock("x", 1), 1,
              "carol"));
      List<PushItem> items = Arrays.asList(
          update(0, EntityType.TASK, "t-new", clock(DEVICE, 1), fields("title", "created")),
          update(1, EntityType.TASK, "t-equal", clock("x", 1), fields("title", "same")),
          update(2, EntityType.TASK, "t-before", clock("x", 4), fields("title", "stale")),
          update(3, EntityType.TASK, "t-concurrent", clock(DEVICE, 1), fields("title", "diverged")),
          update(4, EntityType.TASK, "t-after", clock("x", 2), fields("title", "newer")),
          update(5, EntityType.TASK, "t-invalid", clock(DEVICE, 1), fields("status", "no title")),
          update(6, EntityType.COMMENT, "c-orphan", clock(DEVICE, 1), fields("taskId", "nope", "content", "c")),
          update(7, EntityType.COMMENT, "c-forbidden", clock("x", 2), fields("content", "not mine")),
          delete(8, EntityType.ATTACHMENT, "a-gone", clock(DEVICE, 1)));

      Decision decision = decide(BOB, items, stored);

      assertThat(outcomeCount(decision)).isEqualTo(items.size());
      assertThat(decision.applied()).as("t-new, t-after, a-gone").isEqualTo(3);
      assertThat(decision.acknowledged()).isEqualTo(1);
      assertThat(decision.superseded().getJsonObject(0).getString("entityId")).isEqualTo("t-before");
      assertThat(decision.conflicts().getJsonObject(0).getString("entityId")).isEqualTo("t-concurrent");
      assertThat(decision.rejected()).extracting(Rejection::entityId, Rejection::code).containsExactlyInAnyOrder(
          org.assertj.core.groups.Tuple.tuple("t-invalid", Rejection.VALIDATION),
          org.assertj.core.groups.Tuple.tuple("c-orphan", Rejection.MISSING_PARENT),
          org.assertj.core.groups.Tuple.tuple("c-forbidden", Rejection.FORBIDDEN));
      assertThat(decision.writes()).extracting(EntityRow::id).containsExactlyInAnyOrder("t-new", "t-after", "a-gone");
    }
  }
}
