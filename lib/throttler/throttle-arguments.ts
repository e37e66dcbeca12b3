import { describeType } from '../input/kv-input.validation.js';
import { MAX_TTL_SECONDS } from '../input/ttl.validation.js';
import type { ThrottleHit } from './throttle-hit.js';
import { InvalidThrottleArgumentError } from './throttler-storage.errors.js';

/**
 * The highest `limit` taken. A record keeps the expiry of every hit counted in the window (up to limit + 1
 * of them), at most about 7 bytes each (a gap of base-36 digits and a comma, the window at its longest, ten
 * years): one throttler's record stays under 40 KB, within MAX_THROTTLE_RECORD_BYTES (64 KiB) whatever its
 * ttl, and far from DynamoDB's 400 KB item limit.
 */
export const MAX_THROTTLE_LIMIT = 5_000;

/** The longest throttler name: it is stored in the record, once per throttler. */
export const MAX_THROTTLER_NAME_LENGTH = 256;

/** The longest `ttl` or `blockDuration`: the record's expiry in the store must stay within the store's TTL range. */
const MAX_DURATION_MS = MAX_TTL_SECONDS * 1000;

/**
 * `increment`'s arguments, checked before anything is sent; {@link InvalidThrottleArgumentError} names the
 * first wrong one. Any string is a key (the storage hashes it), as in the in-memory storage.
 */
export function throttleHit(key: unknown, ttl: unknown, limit: unknown, blockDuration: unknown, throttlerName: unknown): { key: string; hit: ThrottleHit } {
  if (typeof key !== 'string') throw new InvalidThrottleArgumentError('key', `must be a string, got ${describe(key)}.`);
  if (!isWholeMs(ttl) || ttl < 1 || ttl > MAX_DURATION_MS) {
    throw new InvalidThrottleArgumentError('ttl', `must be a whole number of milliseconds from 1 to ${MAX_DURATION_MS}, got ${describe(ttl)}.`);
  }
  if (typeof limit !== 'number' || !Number.isFinite(limit) || limit < 0 || limit > MAX_THROTTLE_LIMIT) {
    throw new InvalidThrottleArgumentError('limit', `must be a number from 0 to ${MAX_THROTTLE_LIMIT}, got ${describe(limit)}.`);
  }
  // 0 or less turns blocking off, as in the in-memory storage.
  if (!isWholeMs(blockDuration) || blockDuration > MAX_DURATION_MS) {
    throw new InvalidThrottleArgumentError('blockDuration', `must be a whole number of milliseconds up to ${MAX_DURATION_MS}, got ${describe(blockDuration)}.`);
  }
  if (typeof throttlerName !== 'string' || throttlerName.length > MAX_THROTTLER_NAME_LENGTH) {
    const got = typeof throttlerName === 'string' ? `one of ${throttlerName.length}` : describe(throttlerName);
    throw new InvalidThrottleArgumentError('throttlerName', `must be a string of at most ${MAX_THROTTLER_NAME_LENGTH} characters, got ${got}.`);
  }
  return { key, hit: { ttl, limit, blockDuration, throttlerName } };
}

function isWholeMs(input: unknown): input is number {
  return typeof input === 'number' && Number.isSafeInteger(input);
}

function describe(input: unknown): string {
  return typeof input === 'number' ? String(input) : describeType(input);
}
