import { describeType } from '../input/kv-input.validation.js';
import { InvalidThrottlerStorageOptionsError } from './throttler-storage.errors.js';

/** What `increment` answers when the store cannot tell (see {@link DynamoKvThrottlerStorageOptions.failMode}). */
export type ThrottlerFailMode = 'open' | 'closed';

export interface DynamoKvThrottlerStorageOptions {
  /**
   * Put before the SHA-256 of every guard key to make its store key (after the store's own `keyPrefix`):
   * at most 512 characters, no lone surrogates. Default `'throttler:'`.
   */
  prefix?: string;
  /**
   * The time budget of one `increment`, in milliseconds: waiting behind other hits on the same key, the
   * read, the write and any retry after a lost race. When it runs out without an answer from the store,
   * `failMode` answers; when it runs out while other instances keep winning the race for the key, the hit
   * is refused for a second (never let through uncounted). The guard calls `increment` once per throttler
   * of a route, one after the other: a route with N throttlers may wait N budgets. Default 300.
   */
  timeoutMs?: number;
  /**
   * What `increment` answers when DynamoDB is out of reach or throttles, the store is overloaded or
   * closed, a write's outcome is unknown, or the store did not answer within the budget: `'open'` lets the
   * request through, `'closed'` answers it as blocked (429 with `Retry-After`). Either way a warning is
   * logged. Default `'open'`.
   */
  failMode?: ThrottlerFailMode;
}

export const DEFAULT_THROTTLER_KEY_PREFIX = 'throttler:';
export const DEFAULT_THROTTLER_TIMEOUT_MS = 300;

/** With the key's hash (43 characters) and the store's own prefix, a store key stays far below 2048 bytes. */
const MAX_PREFIX_LENGTH = 512;

/** The options, checked once and with their defaults. */
export interface ThrottlerStorageSettings {
  prefix: string;
  timeoutMs: number;
  failMode: ThrottlerFailMode;
}

export function throttlerStorageSettings(options: DynamoKvThrottlerStorageOptions): ThrottlerStorageSettings {
  const { prefix = DEFAULT_THROTTLER_KEY_PREFIX, timeoutMs = DEFAULT_THROTTLER_TIMEOUT_MS, failMode = 'open' } = options;
  if (typeof prefix !== 'string' || prefix.length > MAX_PREFIX_LENGTH || !prefix.isWellFormed()) {
    const got = typeof prefix === 'string' ? (prefix.isWellFormed() ? `one of ${prefix.length}` : 'one with a lone surrogate') : describeType(prefix);
    throw new InvalidThrottlerStorageOptionsError('prefix', `must be a string of at most ${MAX_PREFIX_LENGTH} characters without lone surrogates, got ${got}.`);
  }
  // A setTimeout over 2^31 - 1 ms fires at once; a budget of minutes would defeat its purpose anyway.
  if (typeof timeoutMs !== 'number' || !Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 60_000) {
    throw new InvalidThrottlerStorageOptionsError('timeoutMs', `must be a whole number of milliseconds from 1 to 60000, got ${String(timeoutMs)}.`);
  }
  if (failMode !== 'open' && failMode !== 'closed') {
    throw new InvalidThrottlerStorageOptionsError('failMode', `must be 'open' or 'closed', got ${JSON.stringify(failMode) ?? describeType(failMode)}.`);
  }
  return { prefix, timeoutMs, failMode };
}
