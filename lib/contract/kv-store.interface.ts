import type { KvLease, KvLeaseOptions } from './kv-lease.interface.js';

/** Result of {@link KVStore.healthCheck}: never thrown, always reported. */
export interface KvHealth {
  status: 'UP' | 'DOWN';
  details: KvHealthDetails;
}

export interface KvHealthDetails {
  table: string;
  region: string;
  /** DynamoDB's TableStatus (ACTIVE, CREATING, ...) when the table could be described. */
  tableStatus?: string;
  /**
   * With the `ttl` option: whether DynamoDB deletes expired items of this table (DescribeTimeToLive for
   * the store's expiry attribute); absent when it could not be read. Reads ignore expired items either
   * way; DISABLED means they are kept, taking space and read capacity.
   */
  ttl?: TimeToLiveState;
  /** Why the store is DOWN. */
  error?: string;
}

/** DynamoDB's TimeToLiveStatus for the store's expiry attribute (DISABLED when TTL is on another one). */
export type TimeToLiveState = 'ENABLED' | 'ENABLING' | 'DISABLED' | 'DISABLING';

export interface KvHealthCheckOptions {
  /** Cancels the check: `assertHealthy` then rejects, `healthCheck` reports DOWN with the reason. */
  signal?: AbortSignal;
}

/** Options every call takes. */
export interface KvCallOptions {
  /** Cancels the call: it rejects with `OperationAbortedError`, and batch retries stop. */
  signal?: AbortSignal;
}

export interface KvReadOptions extends KvCallOptions {
  /** A strongly consistent read (twice the read cost); the store's `consistentRead` option by default. */
  consistentRead?: boolean;
}

export interface KvListOptions extends KvReadOptions {
  /** Only the keys that start with this (after the store's `keyPrefix`); every key of the store by default. */
  prefix?: string;
}

export interface KvWriteOptions extends KvCallOptions {
  /** Seconds until the value expires (1 to 10 years); the store's `ttl.defaultSeconds`, else never. */
  ttlSeconds?: number;
}

export interface KvIncrementOptions extends KvCallOptions {
  /**
   * Seconds until the counter expires (1 to 10 years), counted from the increment that creates it or
   * restarts an expired one; incrementing a live counter keeps its expiry. The store's
   * `ttl.defaultSeconds`, else never.
   */
  ttlSeconds?: number;
}

/**
 * A string key-value store. Semantics follow GoFr's KVStore: `set` overwrites, `get` of a missing key
 * rejects with `KeyNotFoundError`, `delete` of a missing key succeeds. An item whose expiry has passed is
 * missing to every read, whether or not DynamoDB has deleted it yet.
 */
export interface KVStore {
  /** What the store puts before every key in its table; empty when it has the table's key space to itself. */
  readonly keyPrefix: string;
  get(key: string, options?: KvReadOptions): Promise<string>;
  set(key: string, value: string, options?: KvWriteOptions): Promise<void>;
  delete(key: string, options?: KvCallOptions): Promise<void>;
  /** The values of the keys that have one; missing and expired keys are left out. */
  getMany(keys: Iterable<string>, options?: KvReadOptions): Promise<Map<string, string>>;
  /** Writes every entry (the last one wins for a repeated key); not atomic: on failure some may be written. */
  setMany(entries: Iterable<readonly [string, string]>, options?: KvWriteOptions): Promise<void>;
  /** Deletes every key; not atomic. */
  deleteMany(keys: Iterable<string>, options?: KvCallOptions): Promise<void>;
  /** Writes only when the key has no value (or it expired); true when it wrote. */
  setIfAbsent(key: string, value: string, options?: KvWriteOptions): Promise<boolean>;
  /** Writes `next` only while the stored, unexpired value equals `expected`; true when it wrote. */
  compareAndSwap(key: string, expected: string, next: string, options?: KvWriteOptions): Promise<boolean>;
  /**
   * Adds `delta` (a safe integer, negative to subtract; 1 by default) to the counter under `key` in one
   * atomic write and returns the new count. A missing or expired counter starts from `delta`. `get`
   * returns a counter as its decimal string; `set` replaces it with a string value. A key that holds a
   * string value is refused with `NotACounterError`.
   */
  increment(key: string, delta?: number, options?: KvIncrementOptions): Promise<number>;
  /**
   * Gives the key's live value a new expiry without rewriting it: `ttlSeconds` from now, else the store's
   * `ttl.defaultSeconds`, else none. True when it did; false when the key has no value (or it expired).
   */
  touch(key: string, options?: KvWriteOptions): Promise<boolean>;
  /**
   * Takes the lease `name` when it is free (never taken, released or expired), waiting up to `waitMs` for
   * it; null when another owner still holds it after that. See {@link KvLease}.
   */
  acquireLease(name: string, options: KvLeaseOptions): Promise<KvLease | null>;
  /** `JSON.parse` of the stored value; `InvalidJsonError` when it is not JSON. */
  getJson<T = unknown>(key: string, options?: KvReadOptions): Promise<T>;
  /** Stores `JSON.stringify(value)`; `InvalidValueError` for what JSON cannot represent exactly. */
  setJson(key: string, value: unknown, options?: KvWriteOptions): Promise<void>;
  /**
   * The store's unexpired keys (without its `keyPrefix`), a page at a time, in no particular order. On
   * DynamoDB each page is one Scan request, which reads (and is billed for) every item of the table, not
   * only the matching ones: meant for maintenance such as clearing a namespace, not for serving requests.
   */
  listKeys(options?: KvListOptions): AsyncIterable<string[]>;
  /** Resolves with the details when the store can serve; rejects with a `KvStoreError` that says why not. */
  assertHealthy(options?: KvHealthCheckOptions): Promise<KvHealthDetails>;
  /** The same check as a report, GoFr-style: never rejects. */
  healthCheck(options?: KvHealthCheckOptions): Promise<KvHealth>;
}

/** The operations a store observes; errors name theirs in `operation`. */
export type KvOperation =
  | 'get'
  | 'set'
  | 'delete'
  | 'get_many'
  | 'set_many'
  | 'delete_many'
  | 'set_if_absent'
  | 'compare_and_swap'
  | 'get_json'
  | 'set_json'
  | 'list_keys'
  | 'increment'
  | 'touch'
  | 'acquire_lease'
  | 'extend_lease'
  | 'release_lease'
  | 'health_check';
