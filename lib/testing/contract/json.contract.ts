import assert from 'node:assert/strict';
import { InvalidJsonError, InvalidValueError, KeyNotFoundError } from '../../contract/kv-store.errors.js';
import { rejection } from './contract-assertions.js';
import type { ContractContext } from './contract-test-api.js';

/** setJson and getJson: exactly what JSON can represent, and a typed error for the rest. */
export function describeJsonContract({ api, store, freshKey }: ContractContext): void {
  api.describe('json: setJson, getJson', () => {
    const document = { name: 'Ada', langs: ['en', 'fr'], born: 1815, nested: { ok: true, none: null }, text: 'π ≈ 3.14 😀' };

    api.it('round-trips JSON values, and stores the text JSON.stringify gives', async () => {
      for (const value of [document, [1, 'two', [3]], 'just a string', 0, false, null]) {
        const key = freshKey();
        await store().setJson(key, value);
        assert.deepEqual(await store().getJson(key), value);
        assert.equal(await store().get(key), JSON.stringify(value));
      }
    });

    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    let deep: unknown = 'bottom';
    for (let depth = 0; depth < 200_000; depth += 1) deep = [deep];
    const unrepresentable: Array<[string, unknown]> = [
      ['undefined', undefined],
      ['a function', () => 1],
      ['a symbol', Symbol('s')],
      ['a BigInt', 10n],
      ['NaN', Number.NaN],
      ['Infinity inside an array', [1, Number.POSITIVE_INFINITY]],
      ['an undefined property', { a: 1, b: undefined }],
      ['a cycle', cycle],
      ['nesting deeper than the stack', deep],
    ];
    for (const [name, value] of unrepresentable) {
      api.it(`refuses ${name} with InvalidValueError and keeps the stored value`, async () => {
        const key = freshKey();
        await store().setJson(key, { kept: true });
        await rejection(store().setJson(key, value), InvalidValueError, { code: 'INVALID_VALUE' });
        assert.deepEqual(await store().getJson(key), { kept: true });
      });
    }

    api.it('rejects getJson of a value that is not JSON with InvalidJsonError, the key on the error only', async () => {
      const key = freshKey();
      await store().set(key, 'not { json');
      const error = await rejection(store().getJson(key), InvalidJsonError, { code: 'INVALID_JSON', key });
      assert.ok(!error.message.includes(key), 'the message must not contain the key');
    });

    api.it('rejects getJson of a missing key with KeyNotFoundError', async () => {
      await rejection(store().getJson(freshKey()), KeyNotFoundError);
    });
  });
}
