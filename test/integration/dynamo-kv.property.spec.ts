import fc from 'fast-check';
import { InvalidKeyError, InvalidValueError, ItemTooLargeError, MAX_ITEM_BYTES, MAX_KEY_BYTES } from '../../lib/index.js';
import { useFixture, useTable } from '../support/fixture.js';
import { serverOptions } from '../support/store-options.js';

const RUNS = 300;
const bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

/** Characters of 1 to 4 UTF-8 bytes, and a lone surrogate (no UTF-8 form). */
const CHARACTERS = ['k', 'é', '€', '😀', '\ud800'];

/** Keys: any Unicode, and keys within a few characters of 2048 bytes in 1-4-byte characters. */
const keys = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 64 }),
  fc.string({ unit: 'grapheme', maxLength: 64 }),
  fc.tuple(fc.constantFrom(...CHARACTERS.slice(0, 4)), fc.integer({ min: -2, max: 2 }), fc.constantFrom('', ...CHARACTERS)).map(
    ([character, delta, tail]) => character.repeat(Math.floor(MAX_KEY_BYTES / bytes(character)) + delta) + tail,
  ),
);

/** Values: any Unicode, and values within a few characters of the 400 KB item limit. */
const values = fc.oneof(
  { weight: 5, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...CHARACTERS.slice(0, 4)), fc.integer({ min: -3, max: 3 })).map(
    ([character, delta]) => character.repeat(Math.floor((MAX_ITEM_BYTES - 50) / bytes(character)) + delta),
  ) },
);

/** What the store must answer, from DynamoDB's rules counted in UTF-8 bytes. */
function expectedError(key: string, value: string): (abstract new (...args: never[]) => Error) | undefined {
  if (key.length === 0 || !key.isWellFormed() || bytes(key) > MAX_KEY_BYTES) return InvalidKeyError;
  if (!value.isWellFormed()) return InvalidValueError;
  if (bytes('pk') + bytes(key) + bytes('value') + bytes(value) > MAX_ITEM_BYTES) return ItemTooLargeError;
  return undefined;
}

describe('any key and value: stored exactly, or refused with the typed error DynamoDB rules call for', () => {
  const table = useTable();
  const fixture = useFixture();

  it(`holds for ${RUNS} generated keys and values, on a real server`, async () => {
    const { store } = await fixture.storeApp(serverOptions(table.name));
    let stored = 0;
    await fc.assert(
      fc.asyncProperty(keys, values, async (key, value) => {
        const refusal = expectedError(key, value);
        if (refusal === undefined) {
          await store.set(key, value);
          expect(await store.get(key)).toBe(value);
          stored += 1;
        } else {
          await expect(store.set(key, value)).rejects.toBeInstanceOf(refusal);
        }
      }),
      { numRuns: RUNS },
    );
    console.log(`property, store: ${RUNS} generated inputs, ${stored} stored and read back exactly, ${RUNS - stored} refused with their typed error`);
  }, 120_000);
});
