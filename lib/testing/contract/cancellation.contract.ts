import assert from 'node:assert/strict';
import { KeyNotFoundError, OperationAbortedError } from '../../contract/kv-store.errors.js';
import type { KVStore } from '../../contract/kv-store.interface.js';
import { rejection } from './contract-assertions.js';
import type { ContractContext } from './contract-test-api.js';
import { allKeys } from './listing.contract.js';

/** Every method takes a signal; an aborted one rejects the call with OperationAbortedError. */
export function describeCancellationContract({ api, store, freshKey }: ContractContext): void {
  api.describe('cancellation: an aborted signal stops every call', () => {
    const calls: Array<[string, (store: KVStore, key: string, signal: AbortSignal) => Promise<unknown>]> = [
      ['get', (kv, key, signal) => kv.get(key, { signal })],
      ['getJson', (kv, key, signal) => kv.getJson(key, { signal })],
      ['set', (kv, key, signal) => kv.set(key, 'new', { signal })],
      ['setJson', (kv, key, signal) => kv.setJson(key, 'new', { signal })],
      ['delete', (kv, key, signal) => kv.delete(key, { signal })],
      ['getMany', (kv, key, signal) => kv.getMany([key], { signal })],
      ['setMany', (kv, key, signal) => kv.setMany([[key, 'new']], { signal })],
      ['deleteMany', (kv, key, signal) => kv.deleteMany([key], { signal })],
      ['setIfAbsent', (kv, key, signal) => kv.setIfAbsent(`${key}-absent`, 'new', { signal })],
      ['compareAndSwap', (kv, key, signal) => kv.compareAndSwap(key, 'kept', 'new', { signal })],
      ['listKeys', (kv, key, signal) => allKeys(kv.listKeys({ prefix: key, signal }))],
    ];
    for (const [name, call] of calls) {
      api.it(`rejects ${name} with OperationAbortedError, the reason as cause, and changes nothing`, async () => {
        const key = freshKey();
        await store().set(key, 'kept');
        const reason = new Error('caller gave up');
        await rejection(call(store(), key, AbortSignal.abort(reason)), OperationAbortedError, { code: 'ABORTED', cause: reason });
        assert.equal(await store().get(key), 'kept');
        await rejection(store().get(`${key}-absent`), KeyNotFoundError);
      });
    }
  });
}
