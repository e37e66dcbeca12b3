import { EventEmitter } from 'node:events';
import type { KeyvStoreAdapter, StoredData } from 'keyv';
import { InvalidValueError, KeyNotFoundError } from '../contract/kv-store.errors.js';
import type { KVStore } from '../contract/kv-store.interface.js';
import { describeType } from '../input/kv-input.validation.js';
import { keyvEntryExpired } from './keyv-entry.js';
import { ttlSecondsOf } from './keyv-ttl.js';
import { UnscopedClearError } from './unscoped-clear.error.js';

export interface KeyvKvStoreOptions {
  /**
   * The namespace whose keys `clear()` deletes (those that start with `namespace:`). Keyv sets it to its
   * own namespace (`'keyv'` unless you give one) when it takes the store, and prefixes keys the same way.
   */
  namespace?: string;
}

/** One entry of Keyv's `setMany`: a serialized value, and its TTL in milliseconds. */
export interface KeyvEntryWrite {
  key: string;
  value: unknown;
  ttl?: number;
}

/**
 * A Keyv storage adapter over any {@link KVStore}, for Keyv and for `@nestjs/cache-manager`, which stores
 * through Keyv. Keyv serializes values to strings and prefixes keys with its namespace; this adapter maps
 * its calls onto the store's: TTLs in whole seconds (rounded up), batches through the store's batch
 * calls (with their retries and bounds), `clear()` through `listKeys` and `deleteMany`. It never creates or
 * changes a table, and never swallows an error: where Keyv does not report a failure itself (`get`,
 * `getMany`, `has`, `hasMany`), the adapter emits it as `'error'` and rejects.
 */
export class KeyvKvStore extends EventEmitter implements KeyvStoreAdapter {
  /** The options it was made with; Keyv (and its test suite) read and add fields. */
  readonly opts: KeyvKvStoreOptions;
  namespace: string | undefined;

  constructor(
    readonly store: KVStore,
    options: KeyvKvStoreOptions = {},
  ) {
    super();
    this.opts = { ...options };
    this.namespace = options.namespace;
  }

  /** The serialized entry, or undefined when the key has no (unexpired) value. */
  async get<Value>(key: string): Promise<StoredData<Value> | undefined> {
    return (await this.reported(this.lookup(key))) as StoredData<Value> | undefined;
  }

  async getMany<Value>(keys: string[]): Promise<Array<StoredData<Value | undefined>>> {
    const found = await this.reported(this.store.getMany(keys));
    return keys.map((key) => found.get(key) as StoredData<Value | undefined>);
  }

  /** `ttl` in milliseconds; none means the store's own default TTL, if it has one, else no expiry. */
  async set(key: string, value: unknown, ttl?: number): Promise<void> {
    await this.store.set(key, serialized(value, 'set'), { ttlSeconds: ttlSecondsOf(ttl) });
  }

  /** One `setMany` of the store per distinct TTL. */
  async setMany(entries: KeyvEntryWrite[]): Promise<void> {
    const byTtl = new Map<number | undefined, Array<[string, string]>>();
    entries.forEach(({ key, value, ttl }, entry) => {
      const ttlSeconds = ttlSecondsOf(ttl);
      const group = byTtl.get(ttlSeconds) ?? [];
      group.push([key, serialized(value, 'set_many', entry)]);
      byTtl.set(ttlSeconds, group);
    });
    await Promise.all([...byTtl].map(([ttlSeconds, group]) => this.store.setMany(group, { ttlSeconds })));
  }

  /** True when the key had a value just before the delete. */
  async delete(key: string): Promise<boolean> {
    const existed = (await this.lookup(key)) !== undefined;
    await this.store.delete(key);
    return existed;
  }

  /** True when any of the keys had a value just before the delete. */
  async deleteMany(keys: string[]): Promise<boolean> {
    const existing = await this.store.getMany(keys);
    await this.store.deleteMany(keys);
    return existing.size > 0;
  }

  /** Whether the key has a value that neither the store nor Keyv considers expired. */
  has(key: string): Promise<boolean> {
    return this.reported(this.lookup(key).then((stored) => live(stored, Date.now())));
  }

  hasMany(keys: string[]): Promise<boolean[]> {
    return this.reported(this.store.getMany(keys).then((found) => keys.map((key) => live(found.get(key), Date.now()))));
  }

  /**
   * Deletes this namespace's keys: pages through `listKeys` (a Scan on DynamoDB, which reads the whole
   * table) and deletes each page in batches. {@link UnscopedClearError} when there is no namespace and the
   * store has no key prefix.
   */
  async clear(): Promise<void> {
    const prefix = this.namespace ? `${this.namespace}:` : '';
    if (prefix === '' && this.store.keyPrefix === '') throw new UnscopedClearError();
    for await (const keys of this.store.listKeys({ prefix, consistentRead: true })) await this.store.deleteMany(keys);
  }

  /** Nothing to release: the store, and its client, belong to the Nest module, which closes them at shutdown. */
  async disconnect(): Promise<void> {}

  private async lookup(key: string): Promise<string | undefined> {
    try {
      return await this.store.get(key);
    } catch (error) {
      if (error instanceof KeyNotFoundError) return undefined;
      throw error;
    }
  }

  /** Emits the failure (when someone listens, as Keyv does) before rejecting with it. */
  private async reported<T>(pending: Promise<T>): Promise<T> {
    try {
      return await pending;
    } catch (error) {
      if (this.listenerCount('error') > 0) this.emit('error', error);
      throw error;
    }
  }
}

function live(stored: string | undefined, nowMs: number): boolean {
  return stored !== undefined && !keyvEntryExpired(stored, nowMs);
}

/** Keyv's serializer makes strings; without it, Keyv would hand over objects the store cannot hold exactly. */
function serialized(value: unknown, operation: 'set' | 'set_many', entry?: number): string {
  if (typeof value === 'string') return value;
  throw new InvalidValueError(`Keyv handed over ${describeType(value)}, not a string: keep Keyv's serialize option (the default).`, {
    operation,
    entry,
  });
}
