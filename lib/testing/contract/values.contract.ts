import assert from 'node:assert/strict';
import { InvalidValueError } from '../../contract/kv-store.errors.js';
import { rejection } from './contract-assertions.js';
import type { ContractContext } from './contract-test-api.js';

/** Only strings with a UTF-8 form are values; anything else is refused and changes nothing. */
export function describeValuesContract({ api, store, freshKey }: ContractContext): void {
  api.describe('values: strings that survive UTF-8, nothing else', () => {
    const notValues: Array<[string, unknown]> = [
      ['a number', 42],
      ['null', null],
      ['undefined', undefined],
      ['a Buffer', Buffer.from('bytes')],
      ['an object', { value: 'v' }],
      ['a lone surrogate string', 'text-\ud83d-text'],
    ];
    for (const [name, value] of notValues) {
      api.it(`rejects a value that is ${name} with InvalidValueError and keeps the stored value`, async () => {
        const key = freshKey();
        await store().set(key, 'kept');
        await rejection(store().set(key, value as string), InvalidValueError, { name: 'InvalidValueError', code: 'INVALID_VALUE' });
        assert.equal(await store().get(key), 'kept');
      });
    }
  });
}
