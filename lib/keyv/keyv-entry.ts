/**
 * Whether a value Keyv wrote has passed its own expiry: Keyv stores `{ value, expires }` (epoch ms) as
 * JSON. A value that is not such JSON (another serializer) has no expiry the adapter can read.
 */
export function keyvEntryExpired(stored: string, nowMs: number): boolean {
  let entry: unknown;
  try {
    entry = JSON.parse(stored);
  } catch {
    return false;
  }
  if (typeof entry !== 'object' || entry === null || !('expires' in entry)) return false;
  return typeof entry.expires === 'number' && nowMs > entry.expires;
}
