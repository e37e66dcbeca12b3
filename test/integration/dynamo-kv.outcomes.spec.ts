import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { jest } from '@jest/globals';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { AsyncLocalStorage } from 'node:async_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { getEventListeners } from 'node:events';
import {
  BatchIncompleteError,
  KvOutcomeUnknownError,
  KvStoreClosedError,
  KvThrottledError,
  type KVStore,
} from '../../lib/index.js';
import { useFixture, useTable } from '../support/fixture.js';
import { optionsAt } from '../support/store-options.js';
import { testEndpoint } from '../support/test-endpoint.js';

/** A full garbage collection, so that heap figures count what is still held, not garbage. */
function collectGarbage(): void {
  setFlagsFromString('--expose_gc');
  (runInNewContext('gc') as () => void)();
}

/**
 * Exact outcomes under faults: a write that may have been applied is never reported as `false` or as
 * "nothing changed", whichever path it took (batched or not) and whatever the later attempts ran into.
 */
describe.each([
  ['batching on', true],
  ['batching off', false],
])('DynamoKvStore outcomes under faults (%s)', (_label, batching) => {
  const table = useTable();
  const fixture = useFixture();

  async function storeBehindProxy(options: Record<string, unknown> = {}) {
    const proxy = await fixture.faultProxy();
    const { store, app } = await fixture.storeApp({ ...optionsAt(proxy.endpoint, table.name), batching: { enabled: batching }, ...options });
    return { proxy, store, app };
  }

  async function stored(key: string): Promise<string | undefined> {
    const { Item } = await table.client.send(new GetItemCommand({ TableName: table.name, Key: { pk: { S: key } }, ConsistentRead: true }));
    return Item?.value?.S;
  }

  it.each<[string, (store: KVStore, key: string) => Promise<boolean>, string | undefined]>([
    ['setIfAbsent', (store, key) => store.setIfAbsent(key, 'mine'), undefined],
    ['compareAndSwap', (store, key) => store.compareAndSwap(key, 'old', 'mine'), 'old'],
  ])('%s answers true when its attempt was applied and the answer lost: its token, read back, says so', async (name, write, before) => {
    const { proxy, store } = await storeBehindProxy();
    const key = `resent-${name}`;
    if (before !== undefined) await store.set(key, before);
    proxy.inject({ operation: 'PutItem', fault: 'reset-after-forward', times: 1 });
    await expect(write(store, key)).resolves.toBe(true);
    expect(await stored(key)).toBe('mine');
    // The store's own client never resends a write after an attempt that may have been applied.
    expect(proxy.requests('PutItem')).toBe(before === undefined ? 1 : 2);
  });

  it.each(['the store\'s own client', 'an app\'s client, which resends'] as const)(
    'an increment whose attempt was applied and whose answer was lost counts once, and answers its count (%s)',
    async (client) => {
      const proxy = await fixture.faultProxy();
      const options = optionsAt(proxy.endpoint, table.name);
      const appClient = client.startsWith('an app') ? { client: fixture.client(proxy.endpoint) } : undefined;
      const connection = appClient ?? { endpoint: options.endpoint, region: options.region, credentials: options.credentials };
      const { store } = await fixture.storeApp({ table: table.name, ...connection, batching: { enabled: batching } });
      const key = `counted-once-${appClient === undefined ? 'own' : 'app'}`;
      await store.increment(key, 10);
      proxy.inject({ operation: 'UpdateItem', fault: 'reset-after-forward', times: 1 });
      await expect(store.increment(key, 5)).resolves.toBe(15);
      expect(await store.get(key, { consistentRead: true })).toBe('15');
      // The app's client resent it; the resend failed its condition on the increment's own token.
      expect(proxy.requests('UpdateItem')).toBe(appClient === undefined ? 2 : 3);
    },
  );

  it('a touch whose answer was lost ends as KvOutcomeUnknownError, never as "nothing changed"', async () => {
    const { proxy, store } = await storeBehindProxy();
    await store.set('touched-lost', 'kept', { ttlSeconds: 60 });
    proxy.inject({ operation: 'UpdateItem', fault: 'reset-after-forward', times: 1 });
    await expect(store.touch('touched-lost', { ttlSeconds: 3600 })).rejects.toBeInstanceOf(KvOutcomeUnknownError);
    expect(await stored('touched-lost')).toBe('kept');
  });

  const WRITES: Array<[string, (store: KVStore, key: string) => Promise<unknown>]> = [
    ['set', (store, key) => store.set(key, 'new')],
    ['setIfAbsent', (store, key) => store.setIfAbsent(key, 'new')],
    ['compareAndSwap', (store, key) => store.compareAndSwap(key, 'old', 'new')],
  ];
  const CASES = (['reset-after-forward', 'reset-mid-body'] as const).flatMap((fault) =>
    (['the store\'s own client', 'an app\'s client, which resends'] as const).flatMap((client) => WRITES.map(([name, write]) => [fault, client, name, write] as const)),
  );

  it.each(CASES)('a write %s (%s), then throttled: never "throttled" or "nothing changed" (%s)', async (fault, client, name, write) => {
    const proxy = await fixture.faultProxy();
    const options = optionsAt(proxy.endpoint, table.name);
    const appClient = client.startsWith('an app') ? { client: fixture.client(proxy.endpoint) } : undefined;
    const connection = appClient ?? { endpoint: options.endpoint, region: options.region, credentials: options.credentials };
    const { store } = await fixture.storeApp({ table: table.name, ...connection, batching: { enabled: batching } });
    const key = `applied-${name}-${fault}-${appClient === undefined ? 'own' : 'app'}`;
    if (name === 'compareAndSwap') await store.set(key, 'old');
    proxy.inject({ operation: 'PutItem', fault, times: 1 });
    proxy.inject({ operation: 'PutItem', fault: 'throttle' });
    const outcome = await write(store, key).catch((caught: unknown) => caught);
    // A conditional write settles it by its token when its budget leaves time to read it back (the app's
    // client spends it on throttled resends); a plain set cannot tell. Either way: never "nothing changed".
    if (name === 'set') expect(outcome).toBeInstanceOf(KvOutcomeUnknownError);
    else if (appClient === undefined) expect(outcome).toBe(true);
    else expect(outcome === true || outcome instanceof KvOutcomeUnknownError).toBe(true);
    expect(await stored(key)).toBe('new');
    const puts = proxy.requests('PutItem') - (name === 'compareAndSwap' ? 1 : 0);
    if (appClient === undefined) expect(puts).toBe(1);
    else expect(puts).toBeGreaterThan(1);
  }, 20_000);

  it('bounds every call by timeoutMs, queue wait included, against an endpoint that never answers', async () => {
    const hanging = await fixture.hangingServer();
    const { store } = await fixture.storeApp({ ...optionsAt(hanging.endpoint, table.name), batching: { enabled: batching }, timeoutMs: 400 });
    const ended = await Promise.all(
      Array.from({ length: 1_000 }, (_, index) => {
        const called = performance.now();
        const settled = () => performance.now() - called;
        return store.set(`k${index % 50}`, 'v').then(settled, settled);
      }),
    );
    // Each call's budget starts when it is called: none waits for the batches ahead of it to time out first.
    // The slack is for a busy 2-core machine; without the queue deadline the last calls took 4 s and more.
    expect(Math.max(...ended)).toBeLessThan(400 + 1_500);
  });

  it('refuses calls past maxPendingCalls at once with KvOverloadedError, and every call settles within its budget', async () => {
    const hanging = await fixture.hangingServer();
    const { store } = await fixture.storeApp({
      ...optionsAt(hanging.endpoint, table.name),
      batching: { enabled: batching },
      timeoutMs: 500,
      maxPendingCalls: 500,
    });
    collectGarbage();
    const heapBefore = process.memoryUsage().heapUsed;
    let heapPeak = heapBefore;
    const outcomes: Array<Promise<{ code: string; ms: number }>> = [];
    // Waves of 1,000 calls, as requests arrive: timers run between waves, as they would in an app. Without
    // batching each call costs the SDK's CPU, so fewer waves keep the test short.
    const waves = batching ? 50 : 10;
    for (let wave = 0; wave < waves; wave += 1) {
      for (let index = 0; index < 1_000; index += 1) {
        const called = performance.now();
        outcomes.push(
          store.get(`k${index % 500}`).then(
            () => ({ code: 'OK', ms: performance.now() - called }),
            (error: { code?: string }) => ({ code: error.code ?? 'none', ms: performance.now() - called }),
          ),
        );
      }
      await new Promise((resolve) => setImmediate(resolve));
      if (wave % 10 === 9) {
        collectGarbage();
        heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
      }
    }
    const settled = await Promise.all(outcomes);
    const heapGrowthMiB = (heapPeak - heapBefore) / 2 ** 20;
    const count = (code: string) => settled.filter((outcome) => outcome.code === code).length;
    // Calls of a later wave find room again once earlier ones timed out; none waits beyond its budget.
    expect(count('OVERLOADED') + count('UNAVAILABLE')).toBe(waves * 1_000);
    expect(count('OVERLOADED')).toBeGreaterThan(0);
    // Each call settles within its own budget of when it was called, a refused one at once.
    expect(Math.max(...settled.map((outcome) => outcome.ms))).toBeLessThan(500 + 1_500);
    // At most 500 pending calls, not 50,000 (which held about 160 MiB before the bound). The margin is for
    // what other test files in the same worker leave behind between collections.
    expect(heapGrowthMiB).toBeLessThan(128);
  }, 30_000);

  it('stops setMany and deleteMany at their first failure, and says which keys were written, not written, or unknown', async () => {
    const { proxy, store } = await storeBehindProxy({ batchRetry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1, maxElapsedMs: 100 } });
    proxy.inject({ operation: 'BatchWriteItem', fault: 'access-denied', times: 1 });
    const entries = Array.from({ length: 1_000 }, (_, index) => [`many-${index}`, 'v'] as const);
    const error = (await store.setMany(entries).catch((caught: unknown) => caught)) as BatchIncompleteError;
    expect(error).toBeInstanceOf(BatchIncompleteError);
    const sentWhenRejected = proxy.requests('BatchWriteItem');
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Nothing leaves after the call rejected: at most the requests that were already on the wire with the failed one.
    expect(proxy.requests('BatchWriteItem')).toBe(sentWhenRejected);
    expect(sentWhenRejected).toBeLessThanOrEqual(4);
    const { writtenKeys, unprocessedKeys, unknownKeys } = error;
    expect([...writtenKeys, ...unprocessedKeys, ...unknownKeys].sort()).toEqual(entries.map(([key]) => key).sort());
    expect(unknownKeys).toEqual([]);
    for (const key of writtenKeys) expect(await stored(key)).toBe('v');
    for (const key of unprocessedKeys.slice(0, 50)) expect(await stored(key)).toBeUndefined();
  }, 20_000);

  it('rejects calls after close() with KvStoreClosedError, before anything is sent', async () => {
    const { proxy, store } = await storeBehindProxy();
    (store as unknown as { close(): void }).close();
    await expect(store.set('closed', 'v')).rejects.toBeInstanceOf(KvStoreClosedError);
    await expect(store.get('closed')).rejects.toBeInstanceOf(KvStoreClosedError);
    expect(proxy.requests('PutItem') + proxy.requests('GetItem') + proxy.requests('BatchWriteItem')).toBe(0);
  });

  it('keeps nothing of finished calls in a long-lived caller signal (no AbortSignal.any)', async () => {
    const { store } = await storeBehindProxy();
    const any = jest.spyOn(AbortSignal, 'any');
    const signal = new AbortController().signal;
    try {
      await store.setMany([['a', '1'], ['b', '2']], { signal });
      await store.getMany(['a', 'b'], { signal });
      await store.deleteMany(['a'], { signal });
      await store.setIfAbsent('c', '3', { signal });
      await store.compareAndSwap('c', '3', '4', { signal });
      await Promise.all([store.get('b', { signal }), store.set('d', '5', { signal }), store.delete('d', { signal })]);
      for await (const page of store.listKeys({ signal })) expect(page.length).toBeGreaterThan(0);
      expect(any).not.toHaveBeenCalled();
      expect(getEventListeners(signal, 'abort')).toHaveLength(0);
    } finally {
      any.mockRestore();
    }
  });
});

describe('DynamoKvStore coalesced calls fail as lone calls do', () => {
  const table = useTable();
  const fixture = useFixture();

  it('answers keys DynamoDB keeps leaving unprocessed with KvThrottledError within timeoutMs, naming each caller\'s operation', async () => {
    const proxy = await fixture.faultProxy();
    const { store } = await fixture.storeApp({
      ...optionsAt(proxy.endpoint, table.name),
      timeoutMs: 600,
      batchRetry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 },
    });
    proxy.inject({ operation: 'BatchGetItem', fault: 'unprocessed' });
    proxy.inject({ operation: 'BatchWriteItem', fault: 'unprocessed' });
    const started = performance.now();
    // Each request forwards only its first key or item, and two requests are all a call may take here.
    const settled = await Promise.allSettled([
      store.get('g1'),
      store.get('g2'),
      store.get('g3'),
      store.set('s1', 'v'),
      store.set('s2', 'v'),
      store.delete('d1'),
      store.delete('d2'),
    ]);
    expect(performance.now() - started).toBeLessThan(600 + 1_000);
    const failures = settled.map((result) => (result.status === 'rejected' ? (result.reason as KvThrottledError) : undefined));
    // The gets' keys are missing: KeyNotFoundError is an answer.
    expect(failures.map((failure) => failure?.constructor.name)).toEqual([
      'KeyNotFoundError',
      'KeyNotFoundError',
      'KvThrottledError',
      undefined,
      undefined,
      'KvThrottledError',
      'KvThrottledError',
    ]);
    // A delete that shared a request with sets is told about its delete.
    expect(failures.map((failure) => failure?.operation)).toEqual(['get', 'get', 'get', undefined, undefined, 'delete', 'delete']);
  });

  it('keeps a key\'s order behind an aborted write still on the wire: a later setIfAbsent waits for it', async () => {
    const proxy = await fixture.faultProxy();
    const { store } = await fixture.storeApp({ ...optionsAt(proxy.endpoint, table.name), timeoutMs: 2_000 });
    proxy.inject({ operation: 'PutItem', fault: 'delay', times: 1 });
    const controller = new AbortController();
    const first = store.set('ordered', 'first', { signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 30));
    controller.abort(new Error('caller gave up'));
    await expect(first).rejects.toBeInstanceOf(KvOutcomeUnknownError);
    // The aborted set still lands, before the setIfAbsent that was called after it: the key was taken.
    await expect(store.setIfAbsent('ordered', 'second')).resolves.toBe(false);
    await expect(store.get('ordered', { consistentRead: true })).resolves.toBe('first');
  });
});

describe('DynamoKvStore batches and async context', () => {
  const table = useTable();
  const fixture = useFixture();

  it('sends a batch outside the async context of the caller that started it (no CLS leak across requests)', async () => {
    const requestScope = new AsyncLocalStorage<string>();
    const seen: Array<string | undefined> = [];
    const inner = new NodeHttpHandler();
    fixture.defer(() => inner.destroy());
    // The app's own handler instance: it sees each request in whatever async context the store sends it from.
    const requestHandler = {
      metadata: inner.metadata,
      handle: (...args: Parameters<NodeHttpHandler['handle']>) => {
        seen.push(requestScope.getStore());
        return inner.handle(...args);
      },
      updateHttpClientConfig: () => undefined,
      httpHandlerConfigs: () => ({}),
      destroy: () => undefined,
    };
    const { store } = await fixture.storeApp({ ...optionsAt(testEndpoint(), table.name), clientConfig: { requestHandler } });
    await Promise.all(['A', 'B', 'C'].map((caller) => requestScope.run(caller, () => store.get(`cls-${caller}`).catch(() => undefined))));
    expect(seen).toEqual([undefined]);
  });
});
