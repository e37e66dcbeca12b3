import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { Registry } from 'prom-client';
import { BATCH_RETRIES_METRIC, BatchIncompleteError, KvStoreError, OperationAbortedError } from '../../lib/index.js';
import { useFixture, useTable } from '../support/fixture.js';
import { sampleValue } from '../support/metric-samples.js';
import { optionsAt } from '../support/store-options.js';

/** Short backoffs, so that retries happen in test time; the bound in attempts is what the tests vary. */
const QUICK_RETRY = { baseDelayMs: 5, maxDelayMs: 20 };

describe('batch calls against unprocessed keys and items (fault-injecting proxy in front of a real server)', () => {
  const table = useTable();
  const fixture = useFixture();

  async function storeBehindProxy(batchRetry: { maxAttempts?: number } = {}) {
    const proxy = await fixture.faultProxy();
    const registry = new Registry();
    const options = { ...optionsAt(proxy.endpoint, table.name), batchRetry: { ...QUICK_RETRY, ...batchRetry }, metrics: { registry } };
    const { store } = await fixture.storeApp(options);
    const retries = (operation: string) => sampleValue(registry, BATCH_RETRIES_METRIC, { operation });
    return { proxy, store, retries };
  }

  it('getMany resends unprocessed keys until all are read', async () => {
    const { proxy, store, retries } = await storeBehindProxy();
    const keys = ['a', 'b', 'c', 'd'].map((key) => `get-${key}`);
    await store.setMany(keys.map((key) => [key, `value of ${key}`] as const));
    proxy.inject({ operation: 'BatchGetItem', fault: 'unprocessed', times: 2 });

    const found = await store.getMany(keys);

    expect(found).toEqual(new Map(keys.map((key) => [key, `value of ${key}`])));
    // 4 keys: 1 read, 1 read, then the 2 left in one request.
    expect(proxy.requests('BatchGetItem')).toBe(3);
    expect(await retries('get_many')).toBe(2);
  });

  it('setMany and deleteMany resend unprocessed items until all are written', async () => {
    const { proxy, store, retries } = await storeBehindProxy();
    const keys = ['a', 'b', 'c'].map((key) => `write-${key}`);
    proxy.inject({ operation: 'BatchWriteItem', fault: 'unprocessed', times: 1 });
    await store.setMany(keys.map((key) => [key, 'written'] as const));
    for (const key of keys) {
      const { Item } = await table.client.send(new GetItemCommand({ TableName: table.name, Key: { pk: { S: key } }, ConsistentRead: true }));
      expect(Item?.value).toEqual({ S: 'written' });
    }
    proxy.inject({ operation: 'BatchWriteItem', fault: 'unprocessed', times: 1 });
    await store.deleteMany(keys);
    expect(await store.getMany(keys)).toEqual(new Map());
    expect(proxy.requests('BatchWriteItem')).toBe(4);
    expect(await retries('set_many')).toBe(1);
    expect(await retries('delete_many')).toBe(1);
  });

  it('rejects with BatchIncompleteError listing the keys still unread at the bound, never a partial answer', async () => {
    const { proxy, store } = await storeBehindProxy({ maxAttempts: 3 });
    const keys = ['w', 'x', 'y', 'z'].map((key) => `bound-${key}`);
    await store.setMany(keys.map((key) => [key, 'v'] as const));
    proxy.inject({ operation: 'BatchGetItem', fault: 'unprocessed' });

    const error = await store.getMany(keys).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(BatchIncompleteError);
    // Each request reads one key; after 3 requests the fourth is still unread.
    expect(error).toMatchObject({ code: 'BATCH_INCOMPLETE', operation: 'get_many', unprocessedKeys: ['bound-z'] });
    expect((error as Error).message).not.toContain('bound-z');
    expect(proxy.requests('BatchGetItem')).toBe(3);
  });

  it('names the unwritten keys of a setMany that hit the bound; the others are written', async () => {
    const { proxy, store } = await storeBehindProxy({ maxAttempts: 2 });
    proxy.inject({ operation: 'BatchWriteItem', fault: 'unprocessed' });
    const error = await store.setMany([['w1', '1'], ['w2', '2'], ['w3', '3']]).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'BatchIncompleteError', operation: 'set_many', unprocessedKeys: ['w3'] });
    expect(await store.getMany(['w1', 'w2', 'w3'])).toEqual(new Map([['w1', '1'], ['w2', '2']]));
  });

  it('stops resending when the signal aborts', async () => {
    const { proxy, store } = await storeBehindProxy({ maxAttempts: 1_000 });
    proxy.inject({ operation: 'BatchGetItem', fault: 'unprocessed' });
    const keys = Array.from({ length: 50 }, (_, index) => `abort-${index}`);
    const error = await store.getMany(keys, { signal: AbortSignal.timeout(100) }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OperationAbortedError);
    // A request already on the wire at the abort may still reach the proxy; after that, nothing more.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const sent = proxy.requests('BatchGetItem');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(proxy.requests('BatchGetItem')).toBe(sent);
  });

  it('rides out throttling with the SDK retry, and fails typed once that is spent', async () => {
    const { proxy, store } = await storeBehindProxy();
    proxy.inject({ operation: 'PutItem', fault: 'throttle', times: 2 });
    await store.set('throttled', 'eventually');
    expect(proxy.requests('PutItem')).toBe(3);
    await expect(store.get('throttled')).resolves.toBe('eventually');

    proxy.inject({ operation: 'BatchGetItem', fault: 'throttle' });
    const error = await store.getMany(['throttled']).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(KvStoreError);
    expect(String((error as Error).cause)).toMatch(/ProvisionedThroughputExceeded/);
  });
});
