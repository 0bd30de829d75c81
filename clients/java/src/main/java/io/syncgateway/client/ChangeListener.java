package io.syncgateway.client;

import io.syncgateway.entity.EntityType;
import java.util.Set;

/**
 * Told, after each sync cycle that pulled something, which entities the server changed, per type,
 * so an app refreshes just those. Called once per type with at least one id; {@code ids} includes
 * deletions (the entity's local copy is then a tombstone, hidden by {@code get} and {@code list}).
 * Local writes are not reported: the app made them. Remote states that clash with unsynced local
 * ones are not reported either: they become conflicts ({@link SyncEvent.Type#CONFLICT_ADDED}).
 */
@FunctionalInterface
public interface ChangeListener {
  void onChange(EntityType type, Set<String> ids);
}
