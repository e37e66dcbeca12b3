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
  /** Why the store is DOWN. */
  error?: string;
}

export interface KvHealthCheckOptions {
  /** Cancels the check: `assertHealthy` then rejects, `healthCheck` reports DOWN with the reason. */
  signal?: AbortSignal;
}

/**
 * A string key-value store. Semantics follow GoFr's KVStore: `set` overwrites,
 * `get` of a missing key rejects with `KeyNotFoundError`, `delete` of a missing key succeeds.
 */
export interface KVStore {
  get(key: string): Promise<string>;
  set(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
  /** Resolves with the details when the store can serve; rejects with a `KvStoreError` that says why not. */
  assertHealthy(options?: KvHealthCheckOptions): Promise<KvHealthDetails>;
  /** The same check as a report, GoFr-style: never rejects. */
  healthCheck(options?: KvHealthCheckOptions): Promise<KvHealth>;
}

/** The operations a store observes; errors name theirs in `operation`. */
export type KvOperation = 'get' | 'set' | 'delete' | 'health_check';
