package io.syncgateway.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import io.syncgateway.checksum.Checksums;
import io.syncgateway.clock.VectorClock;
import io.syncgateway.entity.EntityRow;
import io.syncgateway.entity.EntityType;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Pull pages are written straight into a buffer: the bytes must say what the JSON objects said. */
@DisplayName("JsonBufferWriter")
class JsonBufferWriterTest {
  private static final String ORG = "org-1";
  private static final long RETENTION_MS = 30L * 24 * 3600 * 1000;
  private static final VectorClock CLOCK = VectorClock.of(Map.of("dev-a", 3L, "dev-b", 1L));

  private static EntityRow task() {
    JsonObject data = new JsonObject()
        .put("title", "Ünïcode \"quoted\" \\ title\n")
        .put("description", null)
        .put("position", 2.5)
        .put("tags", new JsonArray().add("a").add("b"))
        .put("customFields", new JsonObject().put("nested", new JsonObject().put("n", 1)).put("flag", true));
    return new EntityRow(EntityType.TASK, "t-1", data, CLOCK, 4, 1_700_000_000_000L, "alice", 1_700_000_000_500L,
        "bob", "dev-b", null, null, null, null).withComputedChecksum(ORG);
  }

  private static EntityRow tombstone() {
    return new EntityRow(EntityType.COMMENT, "c-1", new JsonObject(), CLOCK, 2, 1_700_000_000_000L, "alice",
        1_700_000_000_900L, "alice", "dev-a", 1_700_000_000_900L, "alice", "dev-a", null);
  }

  @Test
  @DisplayName("writes an entity byte for byte as Json.encode writes its JsonObject")
  void entityAsJsonObject() {
    String written = new JsonBufferWriter(16)
        .array("tasks", List.of(task(), task()), (entity, out) -> entity.writeEntity(ORG, out::field))
        .toBuffer().toString();

    JsonObject expected = new JsonObject().put("tasks", new JsonArray().add(task().toEntityJson(ORG)).add(task().toEntityJson(ORG)));
    assertThat(written).isEqualTo(expected.encode());
  }

  @Test
  @DisplayName("writes the checksum of exactly the other fields it writes")
  void checksumCoversWhatIsWritten() {
    JsonObject written = new JsonObject(new JsonBufferWriter(16)
        .array("tasks", List.of(task()), (entity, out) -> entity.writeEntity(ORG, out::field))
        .toBuffer()).getJsonArray("tasks").getJsonObject(0);

    String checksum = (String) written.remove("checksum");
    assertThat(checksum).isNotNull().isEqualTo(Checksums.of(written));
    assertThat(written.getString("organizationId")).isEqualTo(ORG);
  }

  @Test
  @DisplayName("splices stored data text (jsonb's output, with its spaces) in place of the domain fields: same JSON, same checksum")
  void splicedDataTextIsTheSameEntity() {
    EntityRow task = task();
    String storedText = task.data().encodePrettily(); // whitespace, as text from the database may have
    EntityRow withoutData = new EntityRow(task.type(), task.id(), new JsonObject(), task.clock(), task.version(),
        task.createdAt(), task.createdBy(), task.updatedAt(), task.lastModifiedBy(), task.lastModifiedDevice(), null,
        null, null, task.checksum());

    JsonObject written = new JsonObject(new JsonBufferWriter(16)
        .array("tasks", List.of(withoutData), (entity, out) -> entity.writeEntity(ORG, out::field,
            () -> out.rawMembers(storedText)))
        .toBuffer()).getJsonArray("tasks").getJsonObject(0);

    assertThat(written).isEqualTo(task.toEntityJson(ORG));
    assertThat(written.remove("checksum")).isEqualTo(Checksums.of(written));
  }

  @Test
  @DisplayName("an empty stored object adds no member")
  void emptyDataTextAddsNothing() {
    String written = new JsonBufferWriter(16)
        .array("tasks", List.of(task()), (entity, out) -> entity.writeEntity(ORG, out::field, () -> out.rawMembers("{}")))
        .toBuffer().toString();

    assertThat(new JsonObject(written).getJsonArray("tasks").getJsonObject(0).containsKey("title")).isFalse();
  }

  @Test
  @DisplayName("writes a tombstone with the fields of the pull contract, in order")
  void tombstoneFields() {
    String written = new JsonBufferWriter(16)
        .array("tombstones", List.of(tombstone()), (entity, out) -> entity.writeTombstone(RETENTION_MS, out::field))
        .toBuffer().toString();

    JsonObject expected = new JsonObject()
        .put("entityType", "comment")
        .put("entityId", "c-1")
        .put("deletedAt", 1_700_000_000_900L)
        .put("deletedBy", "alice")
        .put("deletedFromDevice", "dev-a")
        .put("vectorClock", CLOCK.toJson())
        .put("expiresAt", 1_700_000_000_900L + RETENTION_MS);
    assertThat(written).isEqualTo(new JsonObject().put("tombstones", new JsonArray().add(expected)).encode());
  }

  @Test
  @DisplayName("writes empty arrays and plain fields in the order given")
  void emptyArraysAndFields() {
    String written = new JsonBufferWriter(16)
        .array("tasks", List.<EntityRow>of(), (entity, out) -> entity.writeEntity(ORG, out::field))
        .field("serverVectorClock", new JsonObject())
        .field("hasMore", false)
        .field("cursor", "c_1")
        .field("timestamp", 42L)
        .toBuffer().toString();

    assertThat(written).isEqualTo("{\"tasks\":[],\"serverVectorClock\":{},\"hasMore\":false,\"cursor\":\"c_1\",\"timestamp\":42}");
  }
}
