import {
  KvOutcomeUnknownError,
  KvOverloadedError,
  KvStoreClosedError,
  KvThrottledError,
  KvUnavailableError,
  OperationAbortedError,
} from '../contract/kv-store.errors.js';
import type { ThrottleAnswer } from './throttle-answer.js';
import type { ThrottleHit } from './throttle-hit.js';
import type { ThrottlerFailMode } from './throttler-storage.options.js';

/**
 * Whether `error` means the store could not answer now, rather than that something is misconfigured:
 * DynamoDB out of reach or throttling, the store overloaded or closing, a write whose outcome is unknown,
 * a call aborted. The fail mode answers these; anything else (a missing table, no credentials, a refused
 * request, a foreign value under the key, a record over its bound) is thrown, to be seen. A lost race is
 * no error at all: the round reads again (see KeyLane).
 */
export function isOutage(error: unknown): boolean {
  return (
    error instanceof KvUnavailableError ||
    error instanceof KvThrottledError ||
    error instanceof KvOverloadedError ||
    error instanceof KvStoreClosedError ||
    error instanceof KvOutcomeUnknownError ||
    error instanceof OperationAbortedError
  );
}

/**
 * The answer of the fail mode. Open: not blocked, no hit counted as far as the storage knows (the guard
 * then reports the whole limit as remaining). Closed: blocked, for as long as a block by this throttler
 * lasts (its window when it does not block), at least a second, which the guard sends as `Retry-After`.
 */
export function failModeAnswer(mode: ThrottlerFailMode, hit: ThrottleHit): ThrottleAnswer {
  const timeToExpire = Math.max(1, Math.ceil(hit.ttl / 1000));
  if (mode === 'open') return { totalHits: 0, timeToExpire, isBlocked: false, timeToBlockExpire: 0 };
  const blockSeconds = Math.max(1, Math.ceil((hit.blockDuration > 0 ? hit.blockDuration : hit.ttl) / 1000));
  return { totalHits: hit.limit + 1, timeToExpire, isBlocked: true, timeToBlockExpire: blockSeconds };
}
