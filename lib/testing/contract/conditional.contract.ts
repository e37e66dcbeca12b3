import assert from 'node:assert/strict';
import { InvalidValueError, KeyNotFoundError } from '../../contract/kv-store.errors.js';
import { rejection } from './contract-assertions.js';
import type { ContractContext } from './contract-test-api.js';

/** Concurrent callers on one key, to show that exactly one condition holds. */
const CONTENDERS = 50;

/** setIfAbsent and compareAndSwap: one request each, the condition held by the store, never by the caller. */
export function describeConditionalContract({ api, store, freshKey }: ContractContext): void {
  api.describe('conditional writes: setIfAbsent, compareAndSwap', () => {
    api.it('setIfAbsent writes a missing key, then refuses to overwrite it', async () => {
      const key = freshKey();
      assert.equal(await store().setIfAbsent(key, 'first'), true);
      assert.equal(await store().setIfAbsent(key, 'second'), false);
      assert.equal(await store().get(key), 'first');
    });

    api.it('compareAndSwap replaces a value that equals the expected one, and only that', async () => {
      const key = freshKey();
      await store().set(key, 'v1');
      assert.equal(await store().compareAndSwap(key, 'v0', 'wrong'), false);
      assert.equal(await store().get(key), 'v1');
      assert.equal(await store().compareAndSwap(key, 'v1', 'v2'), true);
      assert.equal(await store().get(key), 'v2');
    });

    api.it('compareAndSwap on a missing key is false and writes nothing, whatever is expected', async () => {
      const key = freshKey();
      assert.equal(await store().compareAndSwap(key, '', 'v'), false);
      await rejection(store().get(key), KeyNotFoundError);
    });

    api.it('compareAndSwap refuses an expected value that is not a string', async () => {
      await rejection(store().compareAndSwap(freshKey(), 42 as unknown as string, 'v'), InvalidValueError);
    });

    api.it(`gives exactly one of ${CONTENDERS} concurrent setIfAbsent callers the key`, async () => {
      const key = freshKey();
      const results = await Promise.all(Array.from({ length: CONTENDERS }, (_, index) => store().setIfAbsent(key, `caller ${index}`)));
      assert.equal(results.filter(Boolean).length, 1);
      assert.equal(await store().get(key), `caller ${results.indexOf(true)}`);
    });

    api.it(`lets exactly one of ${CONTENDERS} concurrent compareAndSwap callers move the value on`, async () => {
      const key = freshKey();
      await store().set(key, 'version 0');
      const results = await Promise.all(
        Array.from({ length: CONTENDERS }, (_, index) => store().compareAndSwap(key, 'version 0', `version 1 by ${index}`)),
      );
      assert.equal(results.filter(Boolean).length, 1);
      assert.equal(await store().get(key), `version 1 by ${results.indexOf(true)}`);
    });
  });
}
