package io.syncgateway.client.conflict;

import static org.assertj.core.api.Assertions.assertThat;

import io.syncgateway.client.store.Conflict;
import io.syncgateway.clock.VectorClock;
import io.syncgateway.entity.EntityType;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Conflict resolvers")
class ResolversTest {
  private static final JsonObject BASE = new JsonObject().put("title", "Buy milk").put("status", "todo")
      .put("position", 1);

  private static Conflict conflict(JsonObject local, long localAt, JsonObject remote, long remoteAt) {
    return new Conflict(EntityType.TASK, "t1",
        new Conflict.Version(local, VectorClock.of(Map.of("a", 2L)), false, localAt),
        new Conflict.Version(remote, VectorClock.of(Map.of("a", 1L, "b", 1L)), false, remoteAt), BASE, 0);
  }

  private static Conflict deletedRemotely() {
    return new Conflict(EntityType.TASK, "t1",
        new Conflict.Version(BASE.copy().put("status", "done"), VectorClock.of(Map.of("a", 2L)), false, 5),
        new Conflict.Version(new JsonObject(), VectorClock.of(Map.of("a", 1L, "b", 1L)), true, 9), BASE, 0);
  }

  private final Conflict bothEdited = conflict(
      BASE.copy().put("title", "Buy oat milk").put("position", 2), 20,
      BASE.copy().put("status", "done").put("position", 3), 10);

  @Test
  @DisplayName("keep-local and keep-remote take one side whole")
  void keepOneSide() {
    assertThat(Resolvers.keepLocal().resolve(bothEdited).fields()).isEqualTo(bothEdited.local().fields());
    assertThat(Resolvers.keepRemote().resolve(bothEdited).fields()).isEqualTo(bothEdited.remote().fields());
    assertThat(Resolvers.keepRemote().resolve(deletedRemotely()).deleted()).isTrue();
  }

  @Test
  @DisplayName("field merge takes each side's one-sided changes and asks the fallback for fields changed on both")
  void fieldMerge() {
    Resolution merged = Resolvers.fieldMerge(Resolvers.keepRemote()).resolve(bothEdited);
    assertThat(merged.deleted()).isFalse();
    assertThat(merged.fields()).isEqualTo(new JsonObject()
        .put("title", "Buy oat milk").put("status", "done").put("position", 3));

    Resolution localWins = Resolvers.fieldMerge(Resolvers.keepLocal()).resolve(bothEdited);
    assertThat(localWins.fields().getInteger("position")).isEqualTo(2);
  }

  @Test
  @DisplayName("field merge keeps a field added on one side only")
  void fieldMergeAddedField() {
    Conflict added = conflict(BASE.copy().put("description", "2 litres"), 1, BASE.copy().put("status", "doing"), 2);
    assertThat(Resolvers.fieldMerge(Resolvers.keepRemote()).resolve(added).fields())
        .isEqualTo(BASE.copy().put("description", "2 litres").put("status", "doing"));
  }

  @Test
  @DisplayName("last writer wins by updatedAt; a tie keeps remote")
  void lastWriterWins() {
    assertThat(Resolvers.lastWriterWins().resolve(bothEdited).fields()).isEqualTo(bothEdited.local().fields());
    Conflict tie = conflict(BASE.copy().put("title", "x"), 10, BASE.copy().put("title", "y"), 10);
    assertThat(Resolvers.lastWriterWins().resolve(tie).fields().getString("title")).isEqualTo("y");
  }

  @Test
  @DisplayName("delete-wins deletes when either side deleted, else defers")
  void deleteWins() {
    ConflictResolver resolver = Resolvers.deleteWins(Resolvers.keepLocal());
    assertThat(resolver.resolve(deletedRemotely()).deleted()).isTrue();
    assertThat(resolver.resolve(bothEdited).fields()).isEqualTo(bothEdited.local().fields());
  }
}
