import { InvalidTtlError } from '../contract/kv-store.errors.js';
import type { KVStore } from '../contract/kv-store.interface.js';
import { describeType, MAX_KEY_BYTES } from '../input/kv-input.validation.js';
import { assertValidTtl } from '../input/ttl.validation.js';
import { InvalidSessionStoreOptionsError } from './session-store.errors.js';

export interface DynamoKvSessionStoreOptions {
  /** Put before every session id to make its key (after the store's own `keyPrefix`). Default `'sess:'`. */
  prefix?: string;
  /** Seconds a session lives when its cookie has no expiry (no `maxAge`, no `expires`). Default one day. */
  defaultTtlSeconds?: number;
  /**
   * Strongly consistent reads of sessions, so that a login (or a logout) on one instance is seen at once
   * by the next request on another; a read then costs twice as much. Default true.
   */
  consistentRead?: boolean;
}

export const DEFAULT_SESSION_KEY_PREFIX = 'sess:';
export const DEFAULT_SESSION_TTL_SECONDS = 24 * 60 * 60;

/** The options, checked once and with their defaults. */
export interface SessionStoreSettings {
  prefix: string;
  defaultTtlSeconds: number;
  consistentRead: boolean;
}

/** What the session store calls on its `KVStore`: checked up front, so that a wrong argument fails at bootstrap, not per request. */
const STORE_METHODS = ['getJson', 'getMany', 'set', 'touch', 'delete', 'deleteMany', 'listKeys'] as const;

export function sessionStoreSettings(store: unknown, options: unknown): SessionStoreSettings {
  assertKvStore(store);
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidSessionStoreOptionsError('options', `must be an object, got ${describeType(options)}.`);
  }
  const {
    prefix = DEFAULT_SESSION_KEY_PREFIX,
    defaultTtlSeconds = DEFAULT_SESSION_TTL_SECONDS,
    consistentRead = true,
  } = options as DynamoKvSessionStoreOptions;
  assertSessionPrefix(prefix, store.keyPrefix);
  try {
    assertValidTtl(defaultTtlSeconds, {});
  } catch (error) {
    if (!(error instanceof InvalidTtlError)) throw error;
    throw new InvalidSessionStoreOptionsError('defaultTtlSeconds', `is wrong: ${error.message}`, error);
  }
  if (typeof consistentRead !== 'boolean') {
    throw new InvalidSessionStoreOptionsError('consistentRead', `must be a boolean, got ${describeType(consistentRead)}.`);
  }
  return { prefix, defaultTtlSeconds, consistentRead };
}

function assertKvStore(store: unknown): asserts store is KVStore {
  const candidate = store as Partial<Record<string, unknown>> | null;
  const isStore =
    typeof store === 'object' && candidate !== null && typeof candidate.keyPrefix === 'string' && STORE_METHODS.every((method) => typeof candidate[method] === 'function');
  if (!isStore) {
    throw new InvalidSessionStoreOptionsError('store', `must be a KVStore (KV_STORE, or InMemoryKvStore in tests), got ${describeType(store)}.`);
  }
}

/** The prefix by the store's key rules: every session key is the store's `keyPrefix`, this prefix and an id of one character or more. */
function assertSessionPrefix(prefix: unknown, storeKeyPrefix: string): asserts prefix is string {
  if (typeof prefix !== 'string') {
    throw new InvalidSessionStoreOptionsError('prefix', `must be a string, got ${describeType(prefix)}.`);
  }
  // length, all and clear read every key under the prefix: without one they would take in the whole table.
  if (prefix === '' && storeKeyPrefix === '') {
    throw new InvalidSessionStoreOptionsError(
      'prefix',
      "is empty and the KVStore has no keyPrefix: sessions need a key space of their own (keep the default 'sess:').",
    );
  }
  // The store refuses every key with a lone surrogate (it has no UTF-8 form): every session would fail.
  if (!prefix.isWellFormed()) {
    throw new InvalidSessionStoreOptionsError('prefix', 'contains a lone UTF-16 surrogate, which has no UTF-8 form.');
  }
  const bytes = Buffer.byteLength(storeKeyPrefix + prefix, 'utf8');
  if (bytes >= MAX_KEY_BYTES) {
    throw new InvalidSessionStoreOptionsError(
      'prefix',
      `is ${bytes} UTF-8 bytes with the KVStore's keyPrefix, which leaves no room for a session id: DynamoDB keys are at most ${MAX_KEY_BYTES}.`,
    );
  }
}
