import type { Conflict, Fields } from './model.js';

/** What a conflict settles to: a state of fields, or a deletion. */
export type Resolution = { deleted: true } | { deleted: false; fields: Fields };
export type Resolver = (conflict: Conflict) => Resolution;

function sideOf(side: Conflict['local']): Resolution {
  return side.deleted ? { deleted: true } : { deleted: false, fields: { ...side.fields } };
}

/** JSON equality, whatever the key order. */
function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  return keysA.length === keysB.length
    && keysA.every((key) => same((a as Fields)[key], (b as Fields)[key]));
}

/** This device's version wins. */
export const keepLocal: Resolver = (conflict) => sideOf(conflict.local);

/** The server's version wins. */
export const keepRemote: Resolver = (conflict) => sideOf(conflict.remote);

/** The side changed last (server time remote, this device's time local) wins; a tie keeps the remote. */
export const lastWriterWins: Resolver = (conflict) =>
  conflict.local.updatedAt > conflict.remote.updatedAt ? sideOf(conflict.local) : sideOf(conflict.remote);

/**
 * Field-level merge against the common base: a field changed on one side only takes that side's
 * value; a field changed on both sides to different values, or a deletion on either side, is left
 * to {@code onBothChanged} (default: keep the remote).
 */
export function fieldMerge(onBothChanged: Resolver = keepRemote): Resolver {
  return (conflict) => {
    if (conflict.local.deleted || conflict.remote.deleted) return onBothChanged(conflict);
    const base = conflict.base ?? {};
    const local = conflict.local.fields;
    const remote = conflict.remote.fields;
    const merged: Fields = {};
    let fallback: Resolution | undefined;
    for (const name of new Set([...Object.keys(local), ...Object.keys(remote)])) {
      const mine = local[name];
      const theirs = remote[name];
      const was = base[name];
      if (same(mine, theirs) || same(theirs, was)) {
        if (mine !== undefined) merged[name] = mine;
      } else if (same(mine, was)) {
        if (theirs !== undefined) merged[name] = theirs;
      } else {
        fallback ??= onBothChanged(conflict);
        const value = fallback.deleted ? undefined : fallback.fields[name];
        if (value !== undefined) merged[name] = value;
      }
    }
    return { deleted: false, fields: merged };
  };
}

export const resolvers = { keepLocal, keepRemote, lastWriterWins, fieldMerge };
