import type { KVStore } from '../../contract/kv-store.interface.js';

/**
 * The test functions the suite registers its tests with. Jest's and Vitest's globals fit as they are;
 * for `node:test`, pass `{ describe, it, beforeAll: before, afterAll: after }`.
 */
export interface ContractTestApi {
  describe(name: string, body: () => void): void;
  it(name: string, body: () => Promise<void>): void;
  beforeAll(body: () => Promise<void>): void;
  afterAll(body: () => Promise<void>): void;
}

/** The store under test. */
export interface KvStoreContractSubject {
  /** Shown in the suite's name. */
  name: string;
  /** Opens the store, once for the whole suite. */
  open(): Promise<KVStore>;
  /** Releases what `open` took (apps, clients, tables). */
  close?(): Promise<void>;
  /** The store's attribute names, which count toward the item size limit. Default `pk` and `value`. */
  attributeNames?: { partitionKey: string; value: string };
  /**
   * Moves the store's clock on by `ms` (a fake clock's advance), for the TTL checks; without it the
   * suite waits in real time, once, about two seconds.
   */
  advanceTime?(ms: number): Promise<void>;
}

/** What one capability file needs: the open store, and keys no other test uses. */
export interface ContractContext {
  readonly api: ContractTestApi;
  readonly subject: KvStoreContractSubject;
  store(): KVStore;
  freshKey(): string;
  /** `count` fresh keys. */
  freshKeys(count: number): string[];
}
