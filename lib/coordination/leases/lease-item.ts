import { KeyNotFoundError } from '../../contract/kv-store.errors.js';
import type { KVStore } from '../../contract/kv-store.interface.js';
import { MAX_TTL_SECONDS } from '../../input/ttl.validation.js';
import { decodeLease, type StoredLease } from './lease-record.js';
import type { LeasePlace } from './lease-options.js';

/**
 * Every write gives the item the longest TTL a store takes (ten years, renewed by each write), whatever
 * the store's default TTL: an item that expired would restart the fencing token from 1, and downstream
 * systems that remember a higher token would then refuse every later holder. A lease lasts a year at most
 * (MAX_LEASE_TTL_SECONDS), so its item outlives it by nine years at least.
 */
const ITEM_TTL_SECONDS = MAX_TTL_SECONDS;

/**
 * One lease's item in a store, through the store's public calls only. Errors are the store's own (their
 * `operation` names the store call); the lease calls decide what an abort of their signal means.
 */
export class LeaseItem {
  constructor(
    private readonly store: KVStore,
    /** The key (without the store's keyPrefix). */
    readonly key: string,
    readonly table: string,
  ) {}

  /** The item as stored now (a strongly consistent read), or undefined when there is none. */
  async read(place: LeasePlace, signal: AbortSignal): Promise<StoredLease | undefined> {
    let raw: string;
    try {
      raw = await this.store.get(this.key, { consistentRead: true, signal });
    } catch (error) {
      if (error instanceof KeyNotFoundError) return undefined;
      throw error;
    }
    return { raw, record: decodeLease(raw, place) };
  }

  /** Writes `next` where there is no item yet, or replaces exactly `expected`; true when it wrote. */
  write(expected: string | undefined, next: string, signal: AbortSignal): Promise<boolean> {
    const options = { ttlSeconds: ITEM_TTL_SECONDS, signal };
    return expected === undefined ? this.store.setIfAbsent(this.key, next, options) : this.store.compareAndSwap(this.key, expected, next, options);
  }
}
