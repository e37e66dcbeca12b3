import { InvalidJsonError, InvalidValueError, KeyNotFoundError, NotACounterError, OperationAbortedError } from '../contract/kv-store.errors.js';
import type {
  KvCallOptions,
  KvHealth,
  KvHealthCheckOptions,
  KvHealthDetails,
  KvIncrementOptions,
  KvListOptions,
  KvOperation,
  KvReadOptions,
  KVStore,
  KvWriteOptions,
} from '../contract/kv-store.interface.js';
import type { KvLease, KvLeaseOptions } from '../contract/kv-lease.interface.js';
import { acquireLease } from '../coordination/leases/acquire-lease.js';
import { batchList } from '../input/batch-arguments.js';
import { InputRules } from '../input/input-rules.js';
import { jsonOf } from '../input/json-value.js';
import { hasExpired } from '../input/ttl.validation.js';
import { DEFAULT_TTL_ATTRIBUTE_NAME } from '../options/dynamo-kv.options.js';
import { abortable } from '../store/abortable.js';
import type { Found } from '../store/requests/item-format.js';

export interface InMemoryKvStoreOptions {
  /** Reported in health details and errors. Default `in-memory`. */
  table?: string;
  /** The clock, in epoch milliseconds; expiry follows it, so tests can move time on without sleeping. */
  now?: () => number;
  /** As the DynamoDB store's `ttl` option: the TTL of writes that give none. */
  ttl?: { defaultSeconds?: number };
}

interface Entry {
  /** A counter's value is its decimal string. */
  value: string;
  /** Epoch seconds, as the DynamoDB store writes it. */
  expiresAt?: number;
  /** Written by `increment`, so that a later increment adds to it (a string value refuses one). */
  counter?: true;
}

/**
 * A {@link KVStore} in a Map, for unit tests of code that injects `KV_STORE`. It validates input exactly
 * like the DynamoDB store (same limits, same typed errors), expires values by its clock, and holds the
 * same conditions, so code that passes against it does not fail on DynamoDB's rules later.
 */
export class InMemoryKvStore implements KVStore {
  readonly table: string;
  readonly keyPrefix = '';
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;
  private readonly input: InputRules;

  constructor(options: InMemoryKvStoreOptions = {}) {
    this.table = options.table ?? 'in-memory';
    this.now = options.now ?? Date.now;
    const layout = { partitionKeyName: 'pk', valueAttributeName: 'value', expiryAttributeName: DEFAULT_TTL_ATTRIBUTE_NAME, keyPrefix: '' };
    this.input = new InputRules(layout, this.table, options.ttl?.defaultSeconds, this.now);
  }

  async get(key: string, options: KvReadOptions = {}): Promise<string> {
    return this.read('get', key, options);
  }

  async getJson<T = unknown>(key: string, options: KvReadOptions = {}): Promise<T> {
    const value = this.read('get_json', key, options);
    try {
      return JSON.parse(value) as T;
    } catch (error) {
      throw new InvalidJsonError(key, this.table, error);
    }
  }

  async set(key: string, value: string, options: KvWriteOptions = {}): Promise<void> {
    this.write('set', key, value, options);
  }

  async setJson(key: string, value: unknown, options: KvWriteOptions = {}): Promise<void> {
    this.write('set_json', key, jsonOf(value, { operation: 'set_json', table: this.table }), options);
  }

  async delete(key: string, options: KvCallOptions = {}): Promise<void> {
    this.input.key(key, { operation: 'delete' });
    this.assertNotAborted('delete', options.signal);
    this.entries.delete(key);
  }

  async setIfAbsent(key: string, value: string, options: KvWriteOptions = {}): Promise<boolean> {
    const write = this.input.conditionalWrite({ operation: 'set_if_absent' }, key, value, options.ttlSeconds);
    this.assertNotAborted('set_if_absent', options.signal);
    if (this.current(key) !== undefined) return false;
    this.entries.set(key, write);
    return true;
  }

  async compareAndSwap(key: string, expected: string, next: string, options: KvWriteOptions = {}): Promise<boolean> {
    const place = { operation: 'compare_and_swap' } as const;
    this.input.value(expected, place);
    const write = this.input.conditionalWrite(place, key, next, options.ttlSeconds);
    this.assertNotAborted('compare_and_swap', options.signal);
    if (this.current(key) !== expected) return false;
    this.entries.set(key, write);
    return true;
  }

  async increment(key: string, delta = 1, options: KvIncrementOptions = {}): Promise<number> {
    const step = this.input.counter({ operation: 'increment' }, key, delta, options.ttlSeconds);
    this.assertNotAborted('increment', options.signal);
    const entry = this.entries.get(key);
    if (entry === undefined || this.lookup(key).state !== 'value') {
      this.entries.set(key, { value: String(step.delta), expiresAt: step.expiresAt, counter: true });
      return step.delta;
    }
    if (entry.counter !== true) throw new NotACounterError(key, this.table);
    const count = Number(entry.value) + step.delta;
    if (!Number.isSafeInteger(count)) {
      throw new InvalidValueError(`adding ${step.delta} would carry the counter beyond ±(2^53 - 1); nothing changed.`, { operation: 'increment', table: this.table });
    }
    this.entries.set(key, { value: String(count), expiresAt: entry.expiresAt ?? step.expiresAt, counter: true });
    return count;
  }

  async touch(key: string, options: KvWriteOptions = {}): Promise<boolean> {
    this.input.key(key, { operation: 'touch' });
    const expiresAt = this.input.expiry(options.ttlSeconds, { operation: 'touch' });
    this.assertNotAborted('touch', options.signal);
    const entry = this.entries.get(key);
    if (entry === undefined || this.lookup(key).state !== 'value') return false;
    this.entries.set(key, { ...entry, expiresAt });
    return true;
  }

  acquireLease(name: string, options: KvLeaseOptions): Promise<KvLease | null> {
    return acquireLease(this, name, options, { table: this.table, now: this.now });
  }

  async getMany(keys: Iterable<string>, options: KvReadOptions = {}): Promise<Map<string, string>> {
    const list = batchList(keys, { operation: 'get_many', table: this.table });
    list.forEach((key, entry) => this.input.key(key, { operation: 'get_many', entry }));
    this.assertNotAborted('get_many', options.signal);
    const found = new Map<string, string>();
    for (const key of list) {
      const value = this.current(key);
      if (value !== undefined) found.set(key, value);
    }
    return found;
  }

  async setMany(entries: Iterable<readonly [string, string]>, options: KvWriteOptions = {}): Promise<void> {
    const list = batchList(entries, { operation: 'set_many', table: this.table });
    const expiresAt = this.input.expiry(options.ttlSeconds, { operation: 'set_many' });
    const writes = list.map((pair, entry) => {
      const [key, value] = this.input.pair(pair);
      return [key as string, this.input.write({ operation: 'set_many', entry }, key, value, options.ttlSeconds, expiresAt)] as const;
    });
    this.assertNotAborted('set_many', options.signal);
    for (const [key, write] of writes) this.entries.set(key, write);
  }

  async deleteMany(keys: Iterable<string>, options: KvCallOptions = {}): Promise<void> {
    const list = batchList(keys, { operation: 'delete_many', table: this.table });
    list.forEach((key, entry) => this.input.key(key, { operation: 'delete_many', entry }));
    this.assertNotAborted('delete_many', options.signal);
    for (const key of list) this.entries.delete(key);
  }

  /** One page: every unexpired key that starts with the prefix. */
  async *listKeys(options: KvListOptions = {}): AsyncGenerator<string[]> {
    const { prefix = '', signal } = options;
    this.input.prefix(prefix, { operation: 'list_keys' });
    this.assertNotAborted('list_keys', signal);
    const keys = [...this.entries.keys()].filter((key) => key.startsWith(prefix) && this.current(key) !== undefined);
    if (keys.length > 0) yield keys;
  }

  assertHealthy(options: KvHealthCheckOptions = {}): Promise<KvHealthDetails> {
    const details = { table: this.table, region: 'local', tableStatus: 'ACTIVE' };
    return abortable(Promise.resolve(details), options.signal, { operation: 'health_check', table: this.table });
  }

  async healthCheck(options: KvHealthCheckOptions = {}): Promise<KvHealth> {
    try {
      return { status: 'UP', details: await this.assertHealthy(options) };
    } catch (error) {
      return { status: 'DOWN', details: { table: this.table, region: 'local', error: (error as Error).message } };
    }
  }

  private read(operation: 'get' | 'get_json', key: string, options: KvReadOptions): string {
    this.input.key(key, { operation });
    this.assertNotAborted(operation, options.signal);
    const found = this.lookup(key);
    if (found.state !== 'value') throw new KeyNotFoundError(key, this.table, found.state === 'expired', operation);
    return found.value;
  }

  private write(operation: 'set' | 'set_json', key: string, value: string, options: KvWriteOptions): void {
    const write = this.input.write({ operation }, key, value, options.ttlSeconds);
    this.assertNotAborted(operation, options.signal);
    this.entries.set(key, write);
  }

  private lookup(key: string): Found {
    const entry = this.entries.get(key);
    if (entry === undefined) return { state: 'absent' };
    if (entry.expiresAt !== undefined && hasExpired(entry.expiresAt, this.now())) return { state: 'expired' };
    return { state: 'value', value: entry.value };
  }

  /** The value a read would return now, if any. */
  private current(key: string): string | undefined {
    const found = this.lookup(key);
    return found.state === 'value' ? found.value : undefined;
  }

  private assertNotAborted(operation: KvOperation, signal: AbortSignal | undefined): void {
    if (signal?.aborted) throw new OperationAbortedError(signal.reason, { operation, table: this.table });
  }
}
