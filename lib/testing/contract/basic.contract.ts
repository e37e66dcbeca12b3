import assert from 'node:assert/strict';
import { KeyNotFoundError, KvStoreError } from '../../contract/kv-store.errors.js';
import { rejection } from './contract-assertions.js';
import type { ContractContext } from './contract-test-api.js';

/** Values that must come back exactly as stored: no trimming, normalising or re-encoding. */
export const ROUND_TRIP_VALUES: Readonly<Record<string, string>> = {
  ascii: 'hello world',
  empty: '',
  whitespace: '  \t\n  ',
  'json text': '{"a":[1,2,{"b":null}],"c":"d"}',
  'latin and CJK': 'café 東京 Ünïcødé',
  'emoji and ZWJ sequences': '👩‍👩‍👧‍👦 🏳️‍🌈 😀',
  'combining marks (not normalised)': 'e\u0301 vs \u00e9',
  'control characters and NUL': 'a\u0000b\u0001c\u007f',
  'byte order mark and RTL': '\ufeffשלום\u200f',
};

/** get, set and delete with GoFr's semantics. */
export function describeBasicContract({ api, store, freshKey }: ContractContext): void {
  api.describe('basic: get, set, delete', () => {
    for (const [name, value] of Object.entries(ROUND_TRIP_VALUES)) {
      api.it(`round-trips a value verbatim: ${name}`, async () => {
        const key = freshKey();
        await store().set(key, value);
        assert.equal(await store().get(key), value);
      });
    }

    api.it('overwrites on set', async () => {
      const key = freshKey();
      await store().set(key, 'first');
      await store().set(key, 'second');
      assert.equal(await store().get(key), 'second');
    });

    api.it('rejects get of a missing key with KeyNotFoundError, carrying the key', async () => {
      const key = freshKey();
      const error = await rejection(store().get(key), KeyNotFoundError, { name: 'KeyNotFoundError', code: 'KEY_NOT_FOUND', key });
      assert.ok(error instanceof KvStoreError);
    });

    api.it('deletes, after which get is KeyNotFoundError', async () => {
      const key = freshKey();
      await store().set(key, 'doomed');
      await store().delete(key);
      await rejection(store().get(key), KeyNotFoundError);
    });

    api.it('succeeds when deleting a missing key', async () => {
      assert.equal(await store().delete(freshKey()), undefined);
    });

    api.it('keeps keys apart that differ only in Unicode normalisation or case', async () => {
      const prefix = freshKey();
      const keys = { composed: `${prefix}caf\u00e9`, decomposed: `${prefix}cafe\u0301`, upper: `${prefix}CAF\u00c9` };
      for (const [value, key] of Object.entries(keys)) await store().set(key, value);
      for (const [value, key] of Object.entries(keys)) assert.equal(await store().get(key), value);
    });
  });
}
