import type { KvLease, KvLeaseOptions } from '../../contract/kv-lease.interface.js';
import type { KVStore } from '../../contract/kv-store.interface.js';
import { DEFAULT_TIMEOUT_MS } from '../../options/dynamo-kv.options.js';
import { LeaseAcquisition } from './lease-acquisition.js';
import { LeaseItem } from './lease-item.js';
import { leaseRequest, type LeasePlace } from './lease-options.js';

/** What a store tells the lease code about itself: its table (for errors), its clock and its call budget. */
export interface LeaseStoreContext {
  table: string;
  /** Epoch milliseconds; a lease's expiry and the safety margin before it are measured by this. */
  now: () => number;
  /**
   * The store's budget for one call (its `timeoutMs`): `acquireLease` ends within `waitMs` plus this,
   * `extend` and `release` within this, retries and read-backs included. 3000 (the store's default) when
   * not given.
   */
  timeoutMs?: number;
}

/**
 * `KVStore.acquireLease`, for any store, through its public calls only (get, setIfAbsent, compareAndSwap).
 * Bad input is refused before any call.
 */
export async function acquireLease(store: KVStore, name: string, options: KvLeaseOptions, context: LeaseStoreContext): Promise<KvLease | null> {
  const place: LeasePlace = { operation: 'acquire_lease', table: context.table };
  const request = leaseRequest(name, options, store.keyPrefix, place);
  const home = { item: new LeaseItem(store, request.key, context.table), now: context.now, budgetMs: context.timeoutMs ?? DEFAULT_TIMEOUT_MS };
  return new LeaseAcquisition(request, home, place).run();
}
