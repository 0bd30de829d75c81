import canonicalize from 'canonicalize';
import type { Fields } from './model.js';

export const CHECKSUM_ALGORITHM = 'jcs-sha256';
const NOT_HASHED = new Set(['checksum', 'operation', 'priority', 'changedFields']);

/**
 * PROTOCOL §6: lowercase hex SHA-256 (Web Crypto) of the RFC 8785 canonical JSON of the entity
 * without checksum, operation, priority, changedFields and top-level keys starting with "_".
 */
export async function checksumOf(entity: Fields): Promise<string> {
  const hashed: Fields = {};
  for (const [key, value] of Object.entries(entity)) {
    if (!NOT_HASHED.has(key) && !key.startsWith('_')) {
      hashed[key] = value;
    }
  }
  const bytes = new TextEncoder().encode(canonicalize(hashed) ?? '');
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('');
}
