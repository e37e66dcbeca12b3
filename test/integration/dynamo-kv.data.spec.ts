import { DeleteTableCommand, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { Registry } from 'prom-client';
import {
  CONSUMED_CAPACITY_METRIC,
  InvalidKeyError,
  InvalidOptionsError,
  KeyNotFoundError,
  OPERATION_DURATION_METRIC,
  OperationAbortedError,
} from '../../lib/index.js';
import { useFixture, useTable } from '../support/fixture.js';
import { LogCapture } from '../support/log-capture.js';
import { sampleValue } from '../support/metric-samples.js';
import { optionsAt, serverOptions } from '../support/store-options.js';
import { createTableAt, uniqueTableName } from '../support/test-endpoint.js';

describe('DynamoKvStore data features on a real server', () => {
  const table = useTable();
  const fixture = useFixture();

  const rawItem = async (key: string) =>
    (await table.client.send(new GetItemCommand({ TableName: table.name, Key: { pk: { S: key } }, ConsistentRead: true }))).Item;

  describe('key prefix', () => {
    it('keeps two stores on one table apart, and strips the prefix from getMany', async () => {
      const sessions = (await fixture.storeApp({ ...serverOptions(table.name), name: 'sessions', keyPrefix: 'sessions:' })).store;
      const carts = (await fixture.storeApp({ ...serverOptions(table.name), name: 'carts', keyPrefix: 'carts:' })).store;
      await sessions.set('user-1', 'session data');
      await carts.set('user-1', 'cart data');

      expect(await rawItem('sessions:user-1')).toMatchObject({ value: { S: 'session data' } });
      expect(await rawItem('carts:user-1')).toMatchObject({ value: { S: 'cart data' } });
      expect(await sessions.getMany(['user-1', 'user-2'])).toEqual(new Map([['user-1', 'session data']]));
      await sessions.deleteMany(['user-1']);
      await expect(sessions.get('user-1')).rejects.toBeInstanceOf(KeyNotFoundError);
      await expect(carts.get('user-1')).resolves.toBe('cart data');
    });

    it('counts the prefix in the 2048-byte key limit', async () => {
      const { store } = await fixture.storeApp({ ...serverOptions(table.name), keyPrefix: 'p:' });
      await store.set('k'.repeat(2046), 'fits');
      const error = await store.set('k'.repeat(2047), 'v').catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(InvalidKeyError);
      expect((error as Error).message).toContain('2049 UTF-8 bytes with the 2-byte key prefix');
    });
  });

  describe('TTL', () => {
    it('stores the expiry as epoch seconds in a Number attribute, and nothing for a write without one', async () => {
      const { store } = await fixture.storeApp(serverOptions(table.name));
      const before = Math.floor(Date.now() / 1000);
      await store.set('with-ttl', 'v', { ttlSeconds: 60 });
      const expiresAt = Number((await rawItem('with-ttl'))?.expiresAt?.N);
      expect(expiresAt).toBeGreaterThanOrEqual(before + 60);
      expect(expiresAt).toBeLessThanOrEqual(before + 62);
      await store.set('with-ttl', 'v');
      expect(await rawItem('with-ttl')).toEqual({ pk: { S: 'with-ttl' }, value: { S: 'v' } });
    });

    it('uses ttl.attributeName and ttl.defaultSeconds', async () => {
      const { store } = await fixture.storeApp({ ...serverOptions(table.name), ttl: { attributeName: 'ttl', defaultSeconds: 300 } });
      await store.setMany([['default-ttl', 'v']]);
      const item = await rawItem('default-ttl');
      expect(Object.keys(item ?? {}).sort()).toEqual(['pk', 'ttl', 'value']);
      expect(Number(item?.ttl?.N) - Date.now() / 1000).toBeGreaterThan(290);
    });

    it('treats an item DynamoDB has not deleted yet as missing once its expiry passed, and says so in metrics', async () => {
      const registry = new Registry();
      const { store } = await fixture.storeApp({ ...serverOptions(table.name), metrics: { registry } });
      const past = String(Math.floor(Date.now() / 1000) - 10);
      await table.client.send(new PutItemCommand({ TableName: table.name, Item: { pk: { S: 'stale' }, value: { S: 'old' }, expiresAt: { N: past } } }));

      await expect(store.get('stale')).rejects.toMatchObject({ name: 'KeyNotFoundError', expired: true });
      expect(await store.getMany(['stale'])).toEqual(new Map());
      expect(await store.compareAndSwap('stale', 'old', 'new')).toBe(false);
      expect(await store.setIfAbsent('stale', 'fresh')).toBe(true);
      await expect(store.get('stale')).resolves.toBe('fresh');
      expect(await sampleValue(registry, `${OPERATION_DURATION_METRIC}_count`, { operation: 'get', outcome: 'expired' })).toBe(1);
    });

    it('counts the expiry attribute in the 400 KB item size', async () => {
      const { store } = await fixture.storeApp(serverOptions(table.name));
      const key = 'size-with-ttl';
      const room = 409_600 - 'pk'.length - key.length - 'value'.length;
      await store.set(key, 'x'.repeat(room));
      await expect(store.set(key, 'x'.repeat(room), { ttlSeconds: 60 })).rejects.toMatchObject({ name: 'ItemTooLargeError' });
    });
  });

  it('counts the capacity DynamoDB reports as consumed, by operation and kind', async () => {
    const registry = new Registry();
    const { store } = await fixture.storeApp({ ...serverOptions(table.name), metrics: { registry } });
    await store.set('capacity', 'v');
    await store.get('capacity');
    await store.getMany(['capacity']);
    const units = (operation: string, kind: string) => sampleValue(registry, CONSUMED_CAPACITY_METRIC, { operation, kind });
    expect(await units('set', 'write')).toBeGreaterThan(0);
    expect(await units('get', 'read')).toBeGreaterThan(0);
    expect(await units('get_many', 'read')).toBeGreaterThan(0);
  });

  it('ends a call in flight when its signal aborts: a read as aborted, a sent write as outcome unknown', async () => {
    const hanging = await fixture.hangingServer();
    const { store } = await fixture.storeApp(optionsAt(hanging.endpoint, 'hanging'));
    const reason = new Error('client went away');
    const controller = new AbortController();
    const pending = store.set('k', 'v', { signal: controller.signal });
    setTimeout(() => controller.abort(reason), 50);
    // The request had reached the server, which may still apply it: "aborted" would claim nothing changed.
    await expect(pending).rejects.toMatchObject({ name: 'KvOutcomeUnknownError', code: 'OUTCOME_UNKNOWN' });
    await expect(pending).rejects.toThrow(/aborted by its signal after its request may have reached DynamoDB/);
    await expect(store.get('k', { signal: AbortSignal.timeout(50) })).rejects.toBeInstanceOf(OperationAbortedError);
  });

  describe('createTable', () => {
    it('creates a missing table, waits until it is ACTIVE, and reports its TTL state in health', async () => {
      const name = uniqueTableName('created');
      const capture = new LogCapture();
      const { store } = await fixture.storeApp({ ...serverOptions(name), createTable: true, ttl: {} }, capture);
      fixture.defer(() => table.client.send(new DeleteTableCommand({ TableName: name })));
      await store.set('k', 'v', { ttlSeconds: 60 });
      await expect(store.get('k')).resolves.toBe('v');

      const health = await store.healthCheck();
      const unsupported = capture.lines.some((line) => line.level === 'warn' && String(line.message).includes('does not support TTL'));
      // dynalite cannot enable TTL (it warns, and describes TTL as DISABLED); DynamoDB (Local) enables it.
      expect(health.details).toMatchObject({ tableStatus: 'ACTIVE', ttl: unsupported ? 'DISABLED' : 'ENABLED' });
      expect(capture.lines.map((line) => String(line.message))).toContain(`Created table '${name}' (on demand, string partition key 'pk').`);
    });

    it('uses an existing table as it is, after describing it', async () => {
      const proxy = await fixture.faultProxy();
      const { store } = await fixture.storeApp({ ...optionsAt(proxy.endpoint, table.name), createTable: true });
      await store.set('existing', 'v');
      expect(proxy.requests('DescribeTable')).toBe(1);
      expect(proxy.requests('CreateTable')).toBe(0);
    });

    it('fails bootstrap naming both key schemas when the table has another key', async () => {
      const other = uniqueTableName('other-key');
      await createTableAt(testServer(), other);
      fixture.defer(() => table.client.send(new DeleteTableCommand({ TableName: other })));
      const error = await fixture.storeApp({ ...serverOptions(other), partitionKeyName: 'id', createTable: true }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(InvalidOptionsError);
      expect((error as Error).message).toBe(
        `DynamoKvModule option 'partitionKeyName' is 'id', a string partition key alone, but table '${other}' has the key schema pk (HASH, S).`,
      );
    });
  });
});

function testServer(): string {
  return serverOptions('unused').endpoint!;
}
