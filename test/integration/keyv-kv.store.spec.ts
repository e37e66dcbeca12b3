import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import Keyv from 'keyv';
import { InvalidValueError, KvUnavailableError, MAX_TTL_SECONDS } from '../../lib/index.js';
import { KeyvKvStore, UnscopedClearError } from '../../lib/keyv/index.js';
import { allKeys } from '../../lib/testing/contract/listing.contract.js';
import { InMemoryKvStore } from '../../lib/testing/index.js';
import { useFixture, useTable } from '../support/fixture.js';
import { optionsAt, serverOptions } from '../support/store-options.js';

/** What Keyv's own suite does not check: TTL mapping, batching, error reporting and the scope of clear(). */
describe('KeyvKvStore on a real server', () => {
  const table = useTable();
  const fixture = useFixture();

  const rawItem = async (key: string) =>
    (await table.client.send(new GetItemCommand({ TableName: table.name, Key: { pk: { S: key } }, ConsistentRead: true }))).Item;

  /** Keyv over a store behind a counting proxy, with Keyv's error events collected. */
  async function keyvBehindProxy(options: { throwOnErrors?: boolean; keyPrefix?: string } = {}) {
    const proxy = await fixture.faultProxy();
    const { store } = await fixture.storeApp({ ...optionsAt(proxy.endpoint, table.name), keyPrefix: options.keyPrefix ?? '' });
    const keyv = new Keyv({ store: new KeyvKvStore(store), throwOnErrors: options.throwOnErrors });
    const errors: unknown[] = [];
    keyv.on('error', (error: unknown) => errors.push(error));
    return { proxy, store, keyv, errors };
  }

  describe('TTL', () => {
    it("rounds Keyv's milliseconds up to whole seconds of DynamoDB expiry, and writes none without a TTL", async () => {
      const { keyv } = await keyvBehindProxy();
      const before = Math.floor(Date.now() / 1000);
      await keyv.set('ttl-ms', 'v', 1_500);
      await keyv.set('no-ttl', 'v');

      const expiresAt = Number((await rawItem('keyv:ttl-ms'))?.expiresAt?.N);
      expect(expiresAt).toBeGreaterThanOrEqual(before + 2);
      expect(expiresAt).toBeLessThanOrEqual(before + 4);
      expect((await rawItem('keyv:no-ttl'))?.expiresAt).toBeUndefined();
    });

    it('holds a TTL past ten years at ten years instead of failing the write', async () => {
      const { keyv } = await keyvBehindProxy();
      const before = Math.floor(Date.now() / 1000);
      expect(await keyv.set('forever-ish', 'v', 20 * 365 * 24 * 3600 * 1000)).toBe(true);
      const expiresAt = Number((await rawItem('keyv:forever-ish'))?.expiresAt?.N);
      expect(expiresAt - before).toBeGreaterThanOrEqual(MAX_TTL_SECONDS);
      expect(expiresAt - before).toBeLessThanOrEqual(MAX_TTL_SECONDS + 2);
    });

    it("answers has() by Keyv's own expiry too, before DynamoDB's whole-second one has passed", async () => {
      const { keyv } = await keyvBehindProxy();
      await keyv.set('short', 'v', 50);
      await new Promise((resolve) => setTimeout(resolve, 120));
      expect(await keyv.has('short')).toBe(false);
      expect(await keyv.hasMany(['short', 'missing'])).toEqual([false, false]);
      expect(await keyv.get('short')).toBeUndefined();
    });
  });

  describe('batches', () => {
    it("goes through the store's batch calls: 150 keys are 2 BatchGetItem and 6 BatchWriteItem requests", async () => {
      const { proxy, keyv } = await keyvBehindProxy();
      const entries = Array.from({ length: 150 }, (_, index) => ({ key: `batch-${index}`, value: `value ${index}` }));
      expect(await keyv.setMany(entries)).toBeUndefined();
      const values = await keyv.getMany([...entries.map(({ key }) => key), 'missing']);

      expect(values).toEqual([...entries.map(({ value }) => value), undefined]);
      expect(proxy.requests('BatchWriteItem')).toBe(6);
      expect(proxy.requests('BatchGetItem')).toBe(2);
      expect(proxy.requests('PutItem') + proxy.requests('GetItem')).toBe(0);
    });

    it('writes each TTL group of a setMany with its own expiry', async () => {
      const { keyv } = await keyvBehindProxy();
      await keyv.setMany([
        { key: 'grouped-a', value: 'a', ttl: 60_000 },
        { key: 'grouped-b', value: 'b' },
      ]);
      expect(Number((await rawItem('keyv:grouped-a'))?.expiresAt?.N)).toBeGreaterThan(Date.now() / 1000 + 50);
      expect((await rawItem('keyv:grouped-b'))?.expiresAt).toBeUndefined();
    });

    it('tells whether delete and deleteMany found anything to delete', async () => {
      const { keyv } = await keyvBehindProxy();
      await keyv.set('deleted', 'v');
      expect(await keyv.delete('deleted')).toBe(true);
      expect(await keyv.delete('deleted')).toBe(false);
      await keyv.set('deleted-2', 'v');
      expect(await keyv.deleteMany(['deleted', 'deleted-2'])).toBe(true);
      expect(await keyv.deleteMany(['deleted', 'deleted-2'])).toBe(false);
    });
  });

  describe('errors are reported, never swallowed', () => {
    it("emits every failure of a stopped server to keyv.on('error'): Keyv's set and delete return false, get a miss", async () => {
      const { proxy, keyv, errors } = await keyvBehindProxy();
      await proxy.stop();

      expect(await keyv.set('k', 'v')).toBe(false);
      expect(await keyv.delete('k')).toBe(false);
      expect(await keyv.get('k')).toBeUndefined();
      await keyv.clear();

      expect(errors).toHaveLength(4);
      for (const error of errors) expect(error).toBeInstanceOf(KvUnavailableError);
    });

    it('rejects every call of a stopped server with the typed error under throwOnErrors', async () => {
      const { proxy, keyv, errors } = await keyvBehindProxy({ throwOnErrors: true });
      await proxy.stop();
      const calls = [() => keyv.set('k', 'v'), () => keyv.get('k'), () => keyv.delete('k'), () => keyv.clear(), () => keyv.has('k'), () => keyv.getMany(['k'])];
      for (const call of calls) await expect(call()).rejects.toBeInstanceOf(KvUnavailableError);
      // One report per failure: Keyv emits for set, delete and clear; the adapter for get, has and getMany.
      expect(errors).toHaveLength(calls.length);
    });

    it("refuses what Keyv's serializer did not make a string, naming the serializer", async () => {
      const { store } = await fixture.storeApp(serverOptions(table.name));
      const keyv = new Keyv({ store: new KeyvKvStore(store), serialize: undefined, deserialize: undefined, throwOnErrors: true });
      const error = await keyv.set('object', { a: 1 }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(InvalidValueError);
      expect((error as Error).message).toContain("keep Keyv's serialize option");
    });
  });

  describe('clear()', () => {
    it("deletes its namespace to the end of the table, in batches, and no other namespace's keys", async () => {
      const { proxy, store } = await keyvBehindProxy();
      const cache = new Keyv({ store: new KeyvKvStore(store), namespace: 'cache' });
      const other = new Keyv({ store: new KeyvKvStore(store), namespace: 'cache-other' });
      await cache.setMany(Array.from({ length: 120 }, (_, index) => ({ key: `k${index}`, value: 'v' })));
      await other.set('k0', 'kept');

      await cache.clear();

      expect(await allKeys(store.listKeys({ prefix: 'cache:', consistentRead: true }))).toEqual([]);
      expect(await other.get('k0')).toBe('kept');
      expect(proxy.requests('Scan')).toBeGreaterThanOrEqual(1);
      expect(proxy.requests('BatchWriteItem')).toBeGreaterThanOrEqual(5 + 5);
    });

    it('refuses with UnscopedClearError when neither Keyv nor the store scopes the keys, and deletes nothing', async () => {
      const { store } = await fixture.storeApp(serverOptions(table.name));
      await store.set('someone-else', 'kept');
      const keyv = new Keyv({ store: new KeyvKvStore(store), namespace: '', throwOnErrors: true });

      await expect(keyv.clear()).rejects.toBeInstanceOf(UnscopedClearError);
      await expect(new KeyvKvStore(new InMemoryKvStore()).clear()).rejects.toBeInstanceOf(UnscopedClearError);
      expect(await store.get('someone-else')).toBe('kept');
    });

    it("clears a store's key prefix when Keyv has no namespace", async () => {
      const { store } = await keyvBehindProxy({ keyPrefix: 'sessions:' });
      const { store: neighbour } = await fixture.storeApp({ ...serverOptions(table.name), name: 'neighbour', keyPrefix: 'carts:' });
      const keyv = new Keyv({ store: new KeyvKvStore(store), namespace: '' });
      await keyv.set('user-1', 'v');
      await neighbour.set('user-1', 'kept');

      await keyv.clear();

      expect(await keyv.get('user-1')).toBeUndefined();
      expect(await neighbour.get('user-1')).toBe('kept');
    });
  });
});

