import { createHash } from 'node:crypto';

/** A strong ETag for a stored value: its SHA-256, so that equal values have equal tags. */
export function etagOf(value: string): string {
  return `"${createHash('sha256').update(value, 'utf8').digest('base64url')}"`;
}
