import { createHash } from 'node:crypto';

/**
 * The store key of a client's key: the prefix, then a SHA-256 (base64url) of the scope and the key. Hashed
 * so that the keys clients send never reach the table, its backups or the store's debug log lines, and so
 * that every key, up to 255 characters, takes the same 43 characters. The scope and the key go in as a
 * JSON array, so that no scope and key run together into another pair's.
 */
export function idempotencyStoreKey(keyPrefix: string, scope: string | undefined, key: string): string {
  const digest = createHash('sha256')
    .update(JSON.stringify([scope ?? null, key]))
    .digest('base64url');
  return keyPrefix + digest;
}
