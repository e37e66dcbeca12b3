import assert from 'node:assert/strict';
import { InvalidKeyError, InvalidValueError, ItemTooLargeError, KeyNotFoundError, type KvStoreError } from '../../contract/kv-store.errors.js';
import { MAX_ITEM_BYTES } from '../../input/kv-input.validation.js';
import { promiseOf, rejection } from './contract-assertions.js';
import type { ContractContext } from './contract-test-api.js';

/** getMany, setMany and deleteMany: any number of keys, each validated before anything is sent. */
export function describeBatchContract({ api, store, freshKey, freshKeys }: ContractContext): void {
  api.describe('batch: getMany, setMany, deleteMany', () => {
    api.it('gets the keys that have a value, leaves out missing ones, and reads repeated keys once', async () => {
      const [a, b, missing] = freshKeys(3);
      await store().setMany([[a!, 'A'], [b!, 'B']]);
      const found = await store().getMany([a!, missing!, b!, a!]);
      assert.deepEqual(found, new Map([[a!, 'A'], [b!, 'B']]));
    });

    api.it('answers an empty getMany with an empty map, and empty writes with nothing', async () => {
      assert.deepEqual(await store().getMany([]), new Map());
      await store().setMany([]);
      await store().deleteMany([]);
    });

    api.it('writes, reads and deletes more keys than one request takes (250)', async () => {
      const keys = freshKeys(250);
      await store().setMany(keys.map((key, index) => [key, `value ${index}`] as const));
      const found = await store().getMany(keys);
      assert.equal(found.size, 250);
      keys.forEach((key, index) => assert.equal(found.get(key), `value ${index}`));
      await store().deleteMany(keys);
      assert.equal((await store().getMany(keys)).size, 0);
    });

    api.it('keeps the last value of a key repeated in setMany, as sequential sets would', async () => {
      const key = freshKey();
      await store().setMany([[key, 'first'], [key, 'second'], [key, 'last']]);
      assert.equal(await store().get(key), 'last');
    });

    api.it('takes any iterable: a Map of entries, a Set of keys', async () => {
      const [a, b] = freshKeys(2);
      await store().setMany(new Map([[a!, 'A'], [b!, 'B']]));
      assert.deepEqual(await store().getMany(new Set([a!, b!])), new Map([[a!, 'A'], [b!, 'B']]));
      await store().deleteMany(new Set([a!]));
      await rejection(store().get(a!), KeyNotFoundError);
    });

    api.it('deletes missing keys without complaint, and repeated keys once', async () => {
      const [kept, missing] = freshKeys(2);
      await store().set(kept!, 'kept');
      await store().deleteMany([missing!, missing!]);
      assert.equal(await store().get(kept!), 'kept');
    });

    api.it('refuses a setMany with one bad entry, naming the entry, and writes none of it', async () => {
      const [first, third] = freshKeys(2);
      const cases: Array<[unknown, abstract new (...args: never[]) => KvStoreError]> = [
        [['', 'empty key'], InvalidKeyError],
        [[third, 42], InvalidValueError],
        [[third, 'x'.repeat(MAX_ITEM_BYTES)], ItemTooLargeError],
        ['not a pair', InvalidKeyError],
      ];
      for (const [bad, type] of cases) {
        const entries = [[first!, 'one'], bad, [third!, 'three']] as Array<[string, string]>;
        await rejection(store().setMany(entries), type, { entry: 1 });
      }
      assert.equal((await store().getMany([first!, third!])).size, 0);
    });

    api.it('refuses getMany and deleteMany with one bad key, naming the entry', async () => {
      const [key] = freshKeys(1);
      await store().set(key!, 'kept');
      await rejection(store().getMany([key!, 'k'.repeat(2049)]), InvalidKeyError, { entry: 1, operation: 'get_many' });
      await rejection(store().deleteMany([key!, 7 as unknown as string]), InvalidKeyError, { entry: 1, operation: 'delete_many' });
      assert.equal(await store().get(key!), 'kept');
    });

    api.it('refuses a string or a non-iterable as the whole argument, with a rejected promise, reading and writing nothing', async () => {
      const key = freshKey();
      await store().set(key, 'kept');
      // A string is iterable: taken as one, getMany('abc') would read the keys 'a', 'b' and 'c'.
      const bad: Array<[string, unknown]> = [
        ['a string', key],
        ['null', null],
        ['undefined', undefined],
        ['a number', 42],
        ['a plain object', { [key]: 'value' }],
      ];
      for (const [what, argument] of bad) {
        const calls = {
          get_many: () => store().getMany(argument as Iterable<string>),
          set_many: () => store().setMany(argument as Iterable<[string, string]>),
          delete_many: () => store().deleteMany(argument as Iterable<string>),
        };
        for (const [operation, call] of Object.entries(calls)) {
          const error = await rejection(promiseOf(call, `${operation} of ${what}`), InvalidKeyError, { operation });
          assert.match(error.message, /must be an array/, `${operation} of ${what}: the message says what to pass`);
        }
      }
      assert.equal(await store().get(key), 'kept');
    });
  });
}
