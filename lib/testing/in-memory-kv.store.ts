import { assertItemFits, assertValidKey, assertValidValue, type ItemShape } from '../kv-input.validation.js';
import { KeyNotFoundError } from '../kv-store.errors.js';
import type { KvHealth, KVStore } from '../kv-store.interface.js';

/**
 * A {@link KVStore} in a Map, for unit tests of code that injects `KV_STORE`. It validates input exactly
 * like the DynamoDB store, so code that passes against it does not fail on DynamoDB's limits later.
 */
export class InMemoryKvStore implements KVStore {
  private readonly items = new Map<string, string>();
  private readonly shape: ItemShape = { partitionKeyName: 'pk', valueAttributeName: 'value' };

  constructor(private readonly table = 'in-memory') {}

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

  async healthCheck(): Promise<KvHealth> {
    return { status: 'UP', details: { table: this.table, region: 'local', tableStatus: 'ACTIVE' } };
  }
}
