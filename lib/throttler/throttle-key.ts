import { createHash } from 'node:crypto';

/**
 * The store key of a guard's key: `prefix` and the key's SHA-256 (base64url, 43 characters). Any key fits
 * the table's key limit (2048 bytes) and is a valid one, however long or whatever it holds (lone
 * surrogates included: hashed as UTF-16, every string is its own input), and a `generateKey` that returns
 * the client's IP or API key as it is never puts it in the table.
 */
export function throttleStoreKey(prefix: string, key: string): string {
  return prefix + createHash('sha256').update(Buffer.from(key, 'utf16le')).digest('base64url');
}
