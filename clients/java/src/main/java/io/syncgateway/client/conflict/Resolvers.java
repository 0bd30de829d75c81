package io.syncgateway.client.conflict;

import io.syncgateway.client.store.Conflict;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashSet;
import java.util.Set;

/** The built-in resolvers. */
public final class Resolvers {
  private Resolvers() {}

  public static ConflictResolver keepLocal() {
    return conflict -> of(conflict.local());
  }

  public static ConflictResolver keepRemote() {
    return conflict -> of(conflict.remote());
  }

  /** The side changed last by {@code updatedAt} (server time remote, client time local); a tie keeps remote. */
  public static ConflictResolver lastWriterWins() {
    return conflict -> conflict.local().updatedAt() > conflict.remote().updatedAt()
        ? of(conflict.local()) : of(conflict.remote());
  }

  /** A deletion on either side wins; otherwise {@code otherwise} decides. */
  public static ConflictResolver deleteWins(ConflictResolver otherwise) {
    return conflict -> conflict.local().deleted() || conflict.remote().deleted()
        ? Resolution.deletion() : otherwise.resolve(conflict);
  }

  /**
   * Field-level merge against the common base: a field changed on one side only takes that side's
   * value; a field changed on both sides to different values takes {@code onBothChanged}'s value.
   * A deletion on either side is left to {@code onBothChanged} entirely.
   */
  public static ConflictResolver fieldMerge(ConflictResolver onBothChanged) {
    return conflict -> {
      if (conflict.local().deleted() || conflict.remote().deleted()) {
        return onBothChanged.resolve(conflict);
      }
      JsonObject base = conflict.base() == null ? new JsonObject() : conflict.base();
      JsonObject local = conflict.local().fields();
      JsonObject remote = conflict.remote().fields();
      Set<String> names = new LinkedHashSet<>(local.fieldNames());
      names.addAll(remote.fieldNames());
      JsonObject merged = new JsonObject();
      Resolution fallback = null;
      for (String name : names) {
        Object mine = local.getValue(name);
        Object theirs = remote.getValue(name);
        Object was = base.getValue(name);
        if (same(mine, theirs) || same(theirs, was)) {
          merged.put(name, mine);
        } else if (same(mine, was)) {
          merged.put(name, theirs);
        } else {
          fallback = fallback == null ? onBothChanged.resolve(conflict) : fallback;
          merged.put(name, fallback.fields().getValue(name));
        }
      }
      return Resolution.of(merged);
    };
  }

  /** JSON equality (numbers by value, whatever their Java type). */
  static boolean same(Object a, Object b) {
    return new JsonArray().add(a).equals(new JsonArray().add(b));
  }

  private static Resolution of(Conflict.Version version) {
    return version.deleted() ? Resolution.deletion() : Resolution.of(version.fields().copy());
  }
}
