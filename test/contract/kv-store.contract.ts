import {
  InvalidKeyError,
  InvalidValueError,
  ItemTooLargeError,
  KeyNotFoundError,
  KvStoreError,
  MAX_ITEM_BYTES,
  type KVStore,
} from '../../lib/index.js';

export interface ContractSubject {
  store: KVStore;
  /** Releases what the subject holds (tables, clients). */
  teardown(): Promise<void>;
}

/** Bytes the default attribute names ('pk' and 'value') take in every item. */
const NAME_BYTES = Buffer.byteLength('pk') + Buffer.byteLength('value');

const ROUND_TRIP_VALUES: Record<string, string> = {
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

/** The behaviour every KVStore implementation promises, stated once. */
export function describeKvStoreContract(label: string, createSubject: () => Promise<ContractSubject>): void {
  describe(`KVStore contract: ${label}`, () => {
    let subject: ContractSubject;
    let store: KVStore;
    let keySeq = 0;
    const freshKey = (): string => `contract-key-${Date.now()}-${(keySeq += 1)}`;

    beforeAll(async () => {
      subject = await createSubject();
      store = subject.store;
    });

    afterAll(async () => {
      await subject?.teardown();
    });

    describe('round-trips values verbatim', () => {
      it.each(Object.entries(ROUND_TRIP_VALUES))('%s', async (_name, value) => {
        const key = freshKey();
        await store.set(key, value);
        await expect(store.get(key)).resolves.toBe(value);
      });
    });

    it('overwrites on set', async () => {
      const key = freshKey();
      await store.set(key, 'first');
      await store.set(key, 'second');
      await expect(store.get(key)).resolves.toBe('second');
    });

    it('rejects get of a missing key with KeyNotFoundError', async () => {
      const key = freshKey();
      const error = await store.get(key).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(KeyNotFoundError);
      expect(error).toBeInstanceOf(KvStoreError);
      expect(error).toMatchObject({ name: 'KeyNotFoundError', code: 'KEY_NOT_FOUND', key });
    });

    it('deletes, after which get is KeyNotFoundError', async () => {
      const key = freshKey();
      await store.set(key, 'doomed');
      await store.delete(key);
      await expect(store.get(key)).rejects.toBeInstanceOf(KeyNotFoundError);
    });

    it('succeeds when deleting a missing key', async () => {
      await expect(store.delete(freshKey())).resolves.toBeUndefined();
    });

    it('keeps keys apart that differ only in Unicode normalisation or case', async () => {
      await store.set('caf\u00e9', 'composed');
      await store.set('cafe\u0301', 'decomposed');
      await store.set('CAF\u00c9', 'upper');
      await expect(store.get('caf\u00e9')).resolves.toBe('composed');
      await expect(store.get('cafe\u0301')).resolves.toBe('decomposed');
      await expect(store.get('CAF\u00c9')).resolves.toBe('upper');
    });

    describe('key limits, in UTF-8 bytes', () => {
      it.each([
        ['2048 ASCII bytes', 'k'.repeat(2048)],
        ['682 three-byte characters plus 2 ASCII (2048 bytes)', '€'.repeat(682) + 'ab'],
        ['512 four-byte emoji (2048 bytes)', '😀'.repeat(512)],
      ])('accepts a key of %s', async (_name, key) => {
        expect(Buffer.byteLength(key)).toBe(2048);
        await store.set(key, 'at the limit');
        await expect(store.get(key)).resolves.toBe('at the limit');
        await store.delete(key);
      });

      it.each([
        ['2049 ASCII bytes', 'k'.repeat(2049)],
        ['683 three-byte characters (2049 bytes, only 683 characters)', '€'.repeat(683)],
        ['1000 three-byte characters (3000 bytes, 1000 characters)', '€'.repeat(1000)],
        ['512 emoji plus one ASCII (2049 bytes)', '😀'.repeat(512) + 'a'],
      ])('rejects a key of %s with InvalidKeyError on set, get and delete', async (_name, key) => {
        await expect(store.set(key, 'v')).rejects.toBeInstanceOf(InvalidKeyError);
        await expect(store.get(key)).rejects.toBeInstanceOf(InvalidKeyError);
        await expect(store.delete(key)).rejects.toBeInstanceOf(InvalidKeyError);
      });

      it.each([
        ['empty', ''],
        ['a lone high surrogate', 'key-\ud800'],
        ['a lone low surrogate', '\udc00-key'],
        ['a number', 42],
        ['null', null],
        ['undefined', undefined],
        ['an object', { key: 'k' }],
      ])('rejects a key that is %s with InvalidKeyError', async (_name, key) => {
        const bad = key as unknown as string;
        const error = await store.set(bad, 'v').catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(InvalidKeyError);
        expect(error).toMatchObject({ name: 'InvalidKeyError', code: 'INVALID_KEY' });
        await expect(store.get(bad)).rejects.toBeInstanceOf(InvalidKeyError);
        await expect(store.delete(bad)).rejects.toBeInstanceOf(InvalidKeyError);
      });
    });

    describe('values', () => {
      it.each([
        ['a number', 42],
        ['null', null],
        ['undefined', undefined],
        ['a Buffer', Buffer.from('bytes')],
        ['an object', { value: 'v' }],
        ['a lone surrogate string', 'text-\ud83d-text'],
      ])('rejects a value that is %s with InvalidValueError and keeps the stored value', async (_name, value) => {
        const key = freshKey();
        await store.set(key, 'kept');
        const error = await store.set(key, value as unknown as string).catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(InvalidValueError);
        expect(error).toMatchObject({ name: 'InvalidValueError', code: 'INVALID_VALUE' });
        await expect(store.get(key)).resolves.toBe('kept');
      });
    });

    describe('item size limit (400 KB = 409,600 bytes of names, key and value)', () => {
      const key = 'size-boundary-key';
      const room = MAX_ITEM_BYTES - NAME_BYTES - Buffer.byteLength(key);

      it('stores an item of exactly 409,600 bytes', async () => {
        const value = 'v'.repeat(room);
        await store.set(key, value);
        await expect(store.get(key)).resolves.toBe(value);
      });

      it('stores a multi-byte value of exactly 409,600 bytes', async () => {
        const value = '€'.repeat(Math.floor(room / 3)) + 'v'.repeat(room % 3);
        expect(Buffer.byteLength(value)).toBe(room);
        await store.set(key, value);
        await expect(store.get(key)).resolves.toBe(value);
      });

      it.each([
        ['one ASCII byte over', () => 'x'.repeat(room + 1)],
        ['over only when counted in UTF-8 bytes', () => '€'.repeat(Math.floor(room / 3) + 1)],
      ])('rejects an item %s with ItemTooLargeError and keeps the stored value', async (_name, makeValue) => {
        await store.set(key, 'kept');
        const value = makeValue();
        const error = await store.set(key, value).catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(ItemTooLargeError);
        expect(error).toMatchObject({ name: 'ItemTooLargeError', code: 'ITEM_TOO_LARGE', maxItemBytes: MAX_ITEM_BYTES });
        expect((error as Error).message).not.toContain(value.slice(0, 16));
        await expect(store.get(key)).resolves.toBe('kept');
      });
    });

    it('reports health UP', async () => {
      await expect(store.healthCheck()).resolves.toMatchObject({ status: 'UP', details: { tableStatus: 'ACTIVE' } });
    });
  });
}
