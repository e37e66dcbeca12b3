import { KeyNotFoundError } from '../contract/kv-store.errors.js';
import type { KvHealth, KvHealthCheckOptions, KvHealthDetails, KVStore } from '../contract/kv-store.interface.js';
import { abortable } from '../store/abortable.js';
import { assertItemFits, assertValidKey, assertValidValue, type ItemShape } from '../store/input/kv-input.validation.js';

export interface InMemoryKvStoreOptions {
  /** Reported in health details and errors. Default `in-memory`. */
  table?: string;
}

/**
 * A {@link KVStore} in a Map, for unit tests of code that injects `KV_STORE`. It validates input exactly
 * like the DynamoDB store, so code that passes against it does not fail on DynamoDB's limits later.
 */
export class InMemoryKvStore implements KVStore {
  private readonly items = new Map<string, string>();
  private readonly shape: ItemShape = { partitionKeyName: 'pk', valueAttributeName: 'value' };
  readonly table: string;

  constructor(options: InMemoryKvStoreOptions = {}) {
    this.table = options.table ?? 'in-memory';
  }

  async get(key: string): Promise<string> {
    assertValidKey(key, 'get', this.table);
    const value = this.items.get(key);
    if (value === undefined) throw new KeyNotFoundError(key, this.table);
    return value;
  }

  async set(key: string, value: string): Promise<void> {
    assertValidKey(key, 'set', this.table);
    assertValidValue(value, this.table);
    assertItemFits(this.shape, key, value, this.table);
    this.items.set(key, value);
  }

  async delete(key: string): Promise<void> {
    assertValidKey(key, 'delete', this.table);
    this.items.delete(key);
  }

  assertHealthy(options: KvHealthCheckOptions = {}): Promise<KvHealthDetails> {
    const details = { table: this.table, region: 'local', tableStatus: 'ACTIVE' };
    return abortable(Promise.resolve(details), options.signal, { operation: 'health_check', table: this.table });
  }

  async healthCheck(options: KvHealthCheckOptions = {}): Promise<KvHealth> {
    try {
      return { status: 'UP', details: await this.assertHealthy(options) };
    } catch (error) {
      const details = { table: this.table, region: 'local', error: (error as Error).message };
      return { status: 'DOWN', details };
    }
  }
}
