import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { KeyNotFoundError, OperationAbortedError, TableNotFoundError, type DynamoKvModuleForRootOptions } from '../../lib/index.js';
import type { Json } from '../support/fault-proxy.js';
import { useFixture, useTable } from '../support/fixture.js';
import { LogCapture } from '../support/log-capture.js';
import { optionsAt } from '../support/store-options.js';
import { uniqueTableName } from '../support/test-endpoint.js';

/** The keys a BatchGetItem or BatchWriteItem request named. */
function keysOf(body: Json): string[] {
  const [items] = Object.values(body.RequestItems as Record<string, { Keys?: Json[] } | Json[]>);
  const entries = Array.isArray(items) ? items.map((write) => (write.PutRequest as Json)?.Item ?? (write.DeleteRequest as Json)?.Key) : (items?.Keys ?? []);
  return (entries as Array<{ pk: { S: string } }>).map((key) => key.pk.S);
}

describe('automatic batching (counted at a proxy in front of a real server)', () => {
  const table = useTable();
  const fixture = useFixture();

  async function batchingStore(options: Partial<DynamoKvModuleForRootOptions> = {}, logger?: LogCapture) {
    const proxy = await fixture.faultProxy();
    const { store } = await fixture.storeApp({ ...optionsAt(proxy.endpoint, table.name), ...options }, logger);
    return { proxy, store };
  }

  it('sends a lone get as one GetItem, at once', async () => {
    const { proxy, store } = await batchingStore();
    await store.set('lone', 'v');
    await expect(store.get('lone')).resolves.toBe('v');
    expect(proxy.requests('GetItem')).toBe(1);
    expect(proxy.requests('BatchGetItem')).toBe(0);
  });

  it('coalesces concurrent gets into BatchGetItem, each caller getting what a lone GetItem would give it', async () => {
    const { proxy, store } = await batchingStore();
    const keys = Array.from({ length: 64 }, (_, index) => `coalesced-${index}`);
    await store.setMany(keys.slice(0, 60).map((key) => [key, `value of ${key}`] as const));
    const past = String(Math.floor(Date.now() / 1000) - 5);
    await table.client.send(new PutItemCommand({ TableName: table.name, Item: { pk: { S: keys[60]! }, value: { S: 'stale' }, expiresAt: { N: past } } }));

    const results = await Promise.allSettled(keys.map((key) => store.get(key)));

    results.slice(0, 60).forEach((result, index) => expect(result).toEqual({ status: 'fulfilled', value: `value of ${keys[index]}` }));
    expect(results[60]).toMatchObject({ status: 'rejected', reason: { name: 'KeyNotFoundError', expired: true, key: keys[60] } });
    for (const result of results.slice(61)) expect((result as PromiseRejectedResult).reason).toBeInstanceOf(KeyNotFoundError);
    expect(proxy.requests('GetItem')).toBe(0);
    expect(proxy.bodies('BatchGetItem').map(keysOf).flat().sort()).toEqual([...keys].sort());
    expect(proxy.requests('BatchGetItem')).toBeLessThanOrEqual(4);
  });

  it('reads a key asked by several callers once, and never mixes consistent and eventual reads', async () => {
    const { proxy, store } = await batchingStore();
    await store.setMany([['shared', 'S'], ['other', 'O']]);
    const reads = [
      ...Array.from({ length: 5 }, () => store.get('shared')),
      store.get('other'),
      store.get('shared', { consistentRead: true }),
      store.get('other', { consistentRead: true }),
    ];
    expect(await Promise.all(reads)).toEqual(['S', 'S', 'S', 'S', 'S', 'O', 'S', 'O']);
    const requests = proxy.bodies('BatchGetItem').map((body) => ({
      keys: keysOf(body).sort(),
      consistent: Object.values(body.RequestItems as Record<string, { ConsistentRead?: boolean }>)[0]?.ConsistentRead ?? false,
    }));
    expect(requests).toEqual(expect.arrayContaining([{ keys: ['other', 'shared'], consistent: false }, { keys: ['other', 'shared'], consistent: true }]));
    expect(requests).toHaveLength(2);
  });

  it('coalesces concurrent sets and deletes into BatchWriteItem of at most 25, resolving each when acknowledged', async () => {
    const { proxy, store } = await batchingStore();
    const keys = Array.from({ length: 30 }, (_, index) => `written-${index}`);
    await Promise.all(keys.map((key) => store.set(key, 'batched')));
    expect(proxy.requests('PutItem')).toBe(0);
    const sizes = proxy.bodies('BatchWriteItem').map((body) => keysOf(body).length);
    expect(sizes.every((size) => size <= 25)).toBe(true);
    expect(sizes.reduce((sum, size) => sum + size, 0)).toBe(30);
    expect(await store.getMany(keys)).toEqual(new Map(keys.map((key) => [key, 'batched'])));
    await Promise.all(keys.map((key) => store.delete(key)));
    expect(await store.getMany(keys)).toEqual(new Map());
  });

  it.each<[string, boolean, { GetItem: number; batched: boolean }]>([
    ['false turns it off: concurrent gets leave one GetItem each', false, { GetItem: 8, batched: false }],
    ['true keeps it on: concurrent gets leave as BatchGetItem', true, { GetItem: 0, batched: true }],
  ])('takes batching: %s', async (_case, batching, expected) => {
    const { proxy, store } = await batchingStore({ batching });
    const keys = Array.from({ length: 8 }, (_, index) => `shorthand-${String(batching)}-${index}`);
    const results = await Promise.allSettled(keys.map((key) => store.get(key)));
    for (const result of results) expect((result as PromiseRejectedResult).reason).toBeInstanceOf(KeyNotFoundError);
    expect({ GetItem: proxy.requests('GetItem'), batched: proxy.requests('BatchGetItem') > 0 }).toEqual(expected);
  });

  it('keeps the issue order of writes to one key: never two in one request, never reordered', async () => {
    const { proxy, store } = await batchingStore();
    await Promise.all([
      store.set('ordered', 'a'),
      store.set('deleted-last', 'gone'),
      store.delete('ordered'),
      store.set('ordered', 'b'),
      store.set('unrelated', 'x'),
      store.delete('deleted-last'),
    ]);
    await expect(store.get('ordered', { consistentRead: true })).resolves.toBe('b');
    await expect(store.get('deleted-last', { consistentRead: true })).rejects.toBeInstanceOf(KeyNotFoundError);
    for (const body of proxy.bodies('BatchWriteItem')) {
      const keys = keysOf(body);
      expect(new Set(keys).size).toBe(keys.length);
    }
  });

  it('resends unprocessed items of a coalesced write before resolving', async () => {
    const { proxy, store } = await batchingStore({ batchRetry: { baseDelayMs: 5, maxDelayMs: 20 } });
    proxy.inject({ operation: 'BatchWriteItem', fault: 'unprocessed', times: 2 });
    const keys = ['u1', 'u2', 'u3', 'u4'];
    await Promise.all(keys.map((key) => store.set(key, 'acknowledged')));
    expect(await store.getMany(keys)).toEqual(new Map(keys.map((key) => [key, 'acknowledged'])));
    expect(proxy.requests('BatchWriteItem')).toBe(3);
  });

  it('falls back to single-item calls, with one warning naming the action, when the batch actions are denied', async () => {
    const capture = new LogCapture();
    const { proxy, store } = await batchingStore({}, capture);
    proxy.inject({ operation: 'BatchGetItem', fault: 'access-denied' });
    proxy.inject({ operation: 'BatchWriteItem', fault: 'access-denied' });
    for (let round = 0; round < 2; round += 1) {
      await Promise.all(['d1', 'd2', 'd3'].map((key) => store.set(key, `round ${round}`)));
      expect(await Promise.all(['d1', 'd2', 'd3'].map((key) => store.get(key)))).toEqual(['round 0', 'round 0', 'round 0'].map(() => `round ${round}`));
    }
    expect(proxy.requests('BatchGetItem')).toBe(1);
    expect(proxy.requests('BatchWriteItem')).toBe(1);
    // The store's own warnings: the module's start-up check may warn of a slow DescribeTable on a busy machine.
    const warnings = capture.from('DynamoKvStore').filter((line) => line.level === 'warn').map((line) => String(line.message));
    expect(warnings).toEqual([expect.stringContaining('dynamodb:BatchWriteItem'), expect.stringContaining('dynamodb:BatchGetItem')]);
  });

  it('lets a caller whose signal aborts while it waits leave its batch', async () => {
    const { proxy, store } = await batchingStore({
      batching: { maxInFlight: 1 },
      clientConfig: { maxAttempts: 1, requestHandler: { requestTimeout: 400 } },
    });
    proxy.inject({ operation: 'GetItem', fault: 'hang', times: 1 });
    const blocking = store.get('first').catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const leaving = store.get('leaves', { signal: AbortSignal.timeout(50) });
    const staying = store.get('stays').catch((error: unknown) => error);
    await expect(leaving).rejects.toBeInstanceOf(OperationAbortedError);
    await blocking;
    expect(await staying).toBeInstanceOf(KeyNotFoundError);
    const sent = [...proxy.bodies('GetItem'), ...proxy.bodies('BatchGetItem')].flatMap((body) =>
      body.RequestItems ? keysOf(body) : [(body.Key as { pk: { S: string } }).pk.S],
    );
    expect(sent).toEqual(['first', 'stays']);
  });

  it('gives every coalesced caller the error of its request', async () => {
    const proxy = await fixture.faultProxy();
    const { store } = await fixture.storeApp(optionsAt(proxy.endpoint, uniqueTableName('missing')));
    const results = await Promise.allSettled(['a', 'b', 'c'].map((key) => store.get(key)));
    for (const result of results) expect((result as PromiseRejectedResult).reason).toBeInstanceOf(TableNotFoundError);
    expect(proxy.requests('BatchGetItem')).toBe(1);
  });
});
