import type { VectorClock } from './model.js';

/** How one clock relates to another (PROTOCOL §3, the per-item outcome table). */
export type ClockRelation = 'AFTER' | 'BEFORE' | 'EQUAL' | 'CONCURRENT';

/** The relation of {@code a} to {@code b}; a missing entry counts as 0. */
export function compareClocks(a: VectorClock, b: VectorClock): ClockRelation {
  let aAhead = false;
  let bAhead = false;
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const x = a[key] ?? 0;
    const y = b[key] ?? 0;
    if (x > y) aAhead = true;
    if (y > x) bAhead = true;
  }
  if (aAhead && bAhead) return 'CONCURRENT';
  if (aAhead) return 'AFTER';
  if (bAhead) return 'BEFORE';
  return 'EQUAL';
}

/** The entry-wise maximum: a clock that follows both. */
export function mergeClocks(a: VectorClock, b: VectorClock): VectorClock {
  const merged: VectorClock = { ...a };
  for (const [key, value] of Object.entries(b)) {
    merged[key] = Math.max(merged[key] ?? 0, value);
  }
  return merged;
}
