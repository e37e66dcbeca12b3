import { InvalidTtlError, type KvStoreErrorContext } from '../contract/kv-store.errors.js';
import { describeType } from './kv-input.validation.js';

/** The longest TTL the store accepts: ten years, far below any epoch timestamp given by mistake. */
export const MAX_TTL_SECONDS = 10 * 365 * 24 * 60 * 60;

/** Anything from here on is an epoch timestamp (seconds since 2001-09-09, or milliseconds), not a duration. */
const EPOCH_LIKE = 1_000_000_000;

/** The TTL a write uses: `ttlSeconds`, else the store's default, else none; {@link InvalidTtlError} when bad. */
export function ttlOf(ttlSeconds: unknown, defaultSeconds: number | undefined, context: KvStoreErrorContext): number | undefined {
  if (ttlSeconds === undefined) return defaultSeconds;
  assertValidTtl(ttlSeconds, context);
  return ttlSeconds;
}

export function assertValidTtl(ttlSeconds: unknown, context: KvStoreErrorContext): asserts ttlSeconds is number {
  if (typeof ttlSeconds !== 'number') {
    throw new InvalidTtlError(`expected a number of seconds, got ${describeType(ttlSeconds)}.`, context);
  }
  if (!Number.isFinite(ttlSeconds) || !Number.isInteger(ttlSeconds)) {
    throw new InvalidTtlError(`expected a whole number of seconds, got ${ttlSeconds}.`, context);
  }
  if (ttlSeconds <= 0) {
    throw new InvalidTtlError(`it must be 1 or more (got ${ttlSeconds}); to keep a value forever, leave ttlSeconds out.`, context);
  }
  if (ttlSeconds >= EPOCH_LIKE) {
    throw new InvalidTtlError(
      `${ttlSeconds} looks like an epoch timestamp (in seconds or milliseconds); ttlSeconds is a duration, e.g. 3600 for an hour.`,
      context,
    );
  }
  if (ttlSeconds > MAX_TTL_SECONDS) {
    throw new InvalidTtlError(`${ttlSeconds} seconds is over ten years (${MAX_TTL_SECONDS}).`, context);
  }
}

/**
 * The expiry to store for a TTL written at `nowMs`, in epoch seconds, rounded up: a value lives at least
 * `ttlSeconds` (and less than a second more).
 */
export function expiryOf(ttlSeconds: number, nowMs: number): number {
  return Math.ceil(nowMs / 1000) + ttlSeconds;
}

/** Whether an item with this expiry (epoch seconds) has expired at `nowMs`. */
export function hasExpired(expiresAt: number, nowMs: number): boolean {
  return expiresAt * 1000 <= nowMs;
}
