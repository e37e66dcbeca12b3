import assert from 'node:assert/strict';
import { InvalidKeyError } from '../../contract/kv-store.errors.js';
import { rejection } from './contract-assertions.js';
import type { ContractContext } from './contract-test-api.js';

/** Every key of a listing, sorted, whatever the paging. */
export async function allKeys(pages: AsyncIterable<string[]>): Promise<string[]> {
  const keys: string[] = [];
  for await (const page of pages) keys.push(...page);
  return keys.sort();
}

/** listKeys: every unexpired key under a prefix, once, and nothing else. */
export function describeListingContract({ api, store, freshKey }: ContractContext): void {
  api.describe('listing: listKeys', () => {
    api.it('lists every key under the prefix once, keys written in a batch included, and none outside it', async () => {
      const prefix = `${freshKey()}/`;
      const keys = Array.from({ length: 120 }, (_, index) => `${prefix}${String(index).padStart(3, '0')}`);
      await store().setMany(keys.map((key) => [key, 'v'] as const));
      await store().set(`${prefix.slice(0, -1)}-outside`, 'v');
      await store().set(`x${prefix}inside-only-by-substring`, 'v');
      assert.deepEqual(await allKeys(store().listKeys({ prefix, consistentRead: true })), keys);
    });

    api.it('leaves deleted keys out', async () => {
      const prefix = `${freshKey()}/`;
      await store().setMany([[`${prefix}a`, 'A'], [`${prefix}b`, 'B']]);
      await store().delete(`${prefix}a`);
      assert.deepEqual(await allKeys(store().listKeys({ prefix, consistentRead: true })), [`${prefix}b`]);
    });

    api.it('yields no page for a prefix nothing starts with', async () => {
      assert.deepEqual(await allKeys(store().listKeys({ prefix: `${freshKey()}/nothing-here/` })), []);
    });

    api.it('lists keys of any characters, as they were written', async () => {
      const prefix = `${freshKey()}/`;
      const keys = [`${prefix}ключ`, `${prefix}🔑`, `${prefix}with space`, `${prefix}'quote"`].sort();
      await store().setMany(keys.map((key) => [key, 'v'] as const));
      assert.deepEqual(await allKeys(store().listKeys({ prefix, consistentRead: true })), keys);
    });

    api.it('refuses a prefix that is not a string, or has a lone surrogate, with InvalidKeyError', async () => {
      await rejection(allKeys(store().listKeys({ prefix: 7 as unknown as string })), InvalidKeyError, { operation: 'list_keys' });
      await rejection(allKeys(store().listKeys({ prefix: 'a\uD800' })), InvalidKeyError, { operation: 'list_keys' });
    });
  });
}
