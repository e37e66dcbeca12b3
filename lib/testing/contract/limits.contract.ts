import assert from 'node:assert/strict';
import { InvalidKeyError, ItemTooLargeError } from '../../contract/kv-store.errors.js';
import { MAX_ITEM_BYTES, MAX_KEY_BYTES } from '../../input/kv-input.validation.js';
import { rejection } from './contract-assertions.js';
import type { ContractContext } from './contract-test-api.js';

/** DynamoDB's key and item limits, counted in UTF-8 bytes whatever the server counts. */
export function describeLimitsContract({ api, subject, store, freshKey }: ContractContext): void {
  api.describe('limits: keys up to 2048 UTF-8 bytes, items up to 400 KB', () => {
    const atLimit: Array<[string, string]> = [
      ['2048 ASCII bytes', 'k'.repeat(MAX_KEY_BYTES)],
      ['682 three-byte characters plus 2 ASCII (2048 bytes)', '€'.repeat(682) + 'ab'],
      ['512 four-byte emoji (2048 bytes)', '😀'.repeat(512)],
    ];
    for (const [name, key] of atLimit) {
      api.it(`accepts a key of ${name}`, async () => {
        assert.equal(Buffer.byteLength(key), MAX_KEY_BYTES);
        await store().set(key, 'at the limit');
        assert.equal(await store().get(key), 'at the limit');
        await store().delete(key);
      });
    }

    const overLimit: Array<[string, string]> = [
      ['2049 ASCII bytes', 'k'.repeat(MAX_KEY_BYTES + 1)],
      ['683 three-byte characters (2049 bytes, only 683 characters)', '€'.repeat(683)],
      ['1000 three-byte characters (3000 bytes, 1000 characters)', '€'.repeat(1000)],
      ['512 emoji plus one ASCII (2049 bytes)', '😀'.repeat(512) + 'a'],
    ];
    for (const [name, key] of overLimit) {
      api.it(`rejects a key of ${name} with InvalidKeyError on set, get and delete`, async () => {
        await rejection(store().set(key, 'v'), InvalidKeyError);
        await rejection(store().get(key), InvalidKeyError);
        await rejection(store().delete(key), InvalidKeyError);
      });
    }

    const notKeys: Array<[string, unknown]> = [
      ['empty', ''],
      ['a lone high surrogate', 'key-\ud800'],
      ['a lone low surrogate', '\udc00-key'],
      ['a number', 42],
      ['null', null],
      ['undefined', undefined],
      ['an object', { key: 'k' }],
    ];
    for (const [name, key] of notKeys) {
      api.it(`rejects a key that is ${name} with InvalidKeyError`, async () => {
        const bad = key as string;
        await rejection(store().set(bad, 'v'), InvalidKeyError, { name: 'InvalidKeyError', code: 'INVALID_KEY' });
        await rejection(store().get(bad), InvalidKeyError);
        await rejection(store().delete(bad), InvalidKeyError);
      });
    }

    const names = subject.attributeNames ?? { partitionKey: 'pk', value: 'value' };
    const nameBytes = Buffer.byteLength(names.partitionKey) + Buffer.byteLength(names.value);
    const itemKey = (key: string): number => MAX_ITEM_BYTES - nameBytes - Buffer.byteLength(key);

    api.it('stores an item of exactly 409,600 bytes', async () => {
      const key = freshKey();
      const value = 'v'.repeat(itemKey(key));
      await store().set(key, value);
      assert.equal(await store().get(key), value);
    });

    api.it('stores a multi-byte value of exactly 409,600 bytes', async () => {
      const key = freshKey();
      const room = itemKey(key);
      const value = '€'.repeat(Math.floor(room / 3)) + 'v'.repeat(room % 3);
      assert.equal(Buffer.byteLength(value), room);
      await store().set(key, value);
      assert.equal(await store().get(key), value);
    });

    const tooLarge: Array<[string, (room: number) => string]> = [
      ['one ASCII byte over', (room) => 'x'.repeat(room + 1)],
      ['over only when counted in UTF-8 bytes', (room) => '€'.repeat(Math.floor(room / 3) + 1)],
    ];
    for (const [name, makeValue] of tooLarge) {
      api.it(`rejects an item ${name} with ItemTooLargeError and keeps the stored value`, async () => {
        const key = freshKey();
        await store().set(key, 'kept');
        const value = makeValue(itemKey(key));
        const error = await rejection(store().set(key, value), ItemTooLargeError, {
          code: 'ITEM_TOO_LARGE',
          maxItemBytes: MAX_ITEM_BYTES,
        });
        assert.ok(!error.message.includes(value.slice(0, 16)), 'the message must not contain the value');
        assert.equal(await store().get(key), 'kept');
      });
    }
  });
}
