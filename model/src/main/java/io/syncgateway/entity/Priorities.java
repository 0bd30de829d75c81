package io.syncgateway.entity;

import java.util.Collection;

/**
 * The design's priority rules (1 most urgent … 5): create or status change 1; assignment, title,
 * comment create/delete 2; description, content, dueDate, completedAt 3; tags, customFields 4;
 * anything else 5.
 */
public final class Priorities {
  private Priorities() {}

  public static int of(EntityType type, Operation operation, Collection<String> changedFields) {
    if (type == EntityType.COMMENT && operation != Operation.UPDATE) {
      return 2;
    }
    if (operation == Operation.CREATE || changedFields.contains("status")) {
      return 1;
    }
    if (changedFields.contains("assignedTo") || changedFields.contains("title") || changedFields.contains("name")) {
      return 2;
    }
    if (changedFields.contains("description") || changedFields.contains("content")
        || changedFields.contains("dueDate") || changedFields.contains("completedAt")) {
      return 3;
    }
    if (changedFields.contains("tags") || changedFields.contains("customFields")) {
      return 4;
    }
    return 5;
  }
}
