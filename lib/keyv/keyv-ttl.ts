import { MAX_TTL_SECONDS } from '../input/ttl.validation.js';

/**
 * The store's TTL for Keyv's, which is in milliseconds: whole seconds rounded up, so that DynamoDB never
 * deletes an entry before Keyv's own expiry (which Keyv checks on every read) has passed. Past the store's
 * ten-year limit it is held at ten years. No TTL from Keyv (or an infinite one) gives none.
 */
export function ttlSecondsOf(ttlMs: number | undefined): number | undefined {
  if (ttlMs === undefined || !Number.isFinite(ttlMs)) return undefined;
  return Math.min(Math.max(1, Math.ceil(ttlMs / 1000)), MAX_TTL_SECONDS);
}
