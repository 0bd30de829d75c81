import type { EntityType, Operation } from './model.js';

/**
 * The design's priority rules (1 most urgent … 5): create or status change 1; assignment, title,
 * comment create/delete 2; description, content, dueDate, completedAt 3; tags, customFields 4;
 * anything else 5. The gateway sheds low-priority batches first under load.
 */
export function priorityOf(type: EntityType, operation: Operation, changedFields: readonly string[]): number {
  const changed = new Set(changedFields);
  if (type === 'comment' && operation !== 'update') return 2;
  if (operation === 'create' || changed.has('status')) return 1;
  if (changed.has('assignedTo') || changed.has('title') || changed.has('name')) return 2;
  if (['description', 'content', 'dueDate', 'completedAt'].some((f) => changed.has(f))) return 3;
  if (changed.has('tags') || changed.has('customFields')) return 4;
  return 5;
}
