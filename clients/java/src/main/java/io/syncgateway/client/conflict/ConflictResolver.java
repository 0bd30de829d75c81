package io.syncgateway.client.conflict;

import io.syncgateway.client.store.Conflict;

/** Chooses the resolved state of a conflict. Must not have side effects; it may be called again. */
@FunctionalInterface
public interface ConflictResolver {
  Resolution resolve(Conflict conflict);
}
