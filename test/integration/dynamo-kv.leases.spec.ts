import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { setTimeout as sleep } from 'node:timers/promises';
import { InvalidOptionsError, InvalidTtlError, KvOutcomeUnknownError, KvUnavailableError, type KvLeaseOptions } from '../../lib/index.js';
import type { FaultProxy } from '../support/fault-proxy.js';
import { useFixture, useTable } from '../support/fixture.js';
import { optionsAt } from '../support/store-options.js';

/** Short, so that a hung request ends in a second: the store's own budget for each call. */
const STORE_OPTIONS = { timeoutMs: 1_000, startupCheck: 'off', metrics: { enabled: false } } as const;
const TTL = { ttlSeconds: 60 };
/** Nine years, in seconds: a lease item's TTL must reach past this from now (a lease lasts a year at most). */
const NINE_YEARS_SECONDS = 9 * 365 * 24 * 3600;

/** Waits (bounded) until the proxy has seen `count` requests of `operation`. */
async function requestsSeen(proxy: FaultProxy, operation: string, count: number): Promise<void> {
  for (const started = performance.now(); proxy.requests(operation) < count; await sleep(10)) {
    if (performance.now() - started > 5_000) throw new Error(`The proxy saw ${proxy.requests(operation)} ${operation} requests, not ${count}, within 5 s.`);
  }
}

/**
 * Leases on DynamoDB through a fault-injecting proxy: bad input never reaches the server, and a write
 * whose outcome is unknown is settled (read back, written again) or reported as unknown, never as "held
 * by another" or as a wrong true or false.
 */
describe.each([
  ['batching on', true],
  ['batching off', false],
])('DynamoKvStore leases under faults (%s)', (_label, batching) => {
  const table = useTable();
  const fixture = useFixture();

  async function storeBehindProxy(ttl?: { defaultSeconds: number }) {
    const proxy = await fixture.faultProxy();
    const { store } = await fixture.storeApp({ ...optionsAt(proxy.endpoint, table.name), ...STORE_OPTIONS, batching: { enabled: batching }, ttl });
    return { proxy, store };
  }

  /** The expiry DynamoDB holds for the lease's item, in epoch seconds, read past the store. */
  async function itemExpiry(name: string): Promise<number> {
    const key = { pk: { S: `lease:${name}` } };
    const { Item } = await table.client.send(new GetItemCommand({ TableName: table.name, Key: key, ConsistentRead: true }));
    return Number(Item?.expiresAt?.N);
  }

  const totalRequests = (proxy: FaultProxy): number =>
    ['GetItem', 'PutItem', 'BatchGetItem', 'BatchWriteItem', 'UpdateItem'].reduce((sum, operation) => sum + proxy.requests(operation), 0);

  it('refuses bad names and options before any request', async () => {
    const { proxy, store } = await storeBehindProxy();
    const bad: Array<[string, unknown, KvLeaseOptions]> = [
      ['a TTL of 0', 'job', { ttlSeconds: 0 }],
      ['a negative waitMs', 'job', { ttlSeconds: 5, waitMs: -1 }],
      ['an empty owner', 'job', { ttlSeconds: 5, owner: '' }],
      ['an empty name', '', TTL],
    ];
    for (const [what, name, options] of bad) {
      await expect(store.acquireLease(name as string, options)).rejects.toMatchObject({ operation: 'acquire_lease', table: table.name });
      expect([what, totalRequests(proxy)]).toEqual([what, 0]);
    }
    await expect(store.acquireLease('job', { ttlSeconds: Number.NaN })).rejects.toBeInstanceOf(InvalidTtlError);
    await expect(store.acquireLease('job', { ttlSeconds: 5, waitMs: Number.POSITIVE_INFINITY })).rejects.toBeInstanceOf(InvalidOptionsError);
    expect(totalRequests(proxy)).toBe(0);
  });

  it('refuses a lease item that holds something else (NotALeaseError, operation acquire_lease), leaving it as it was', async () => {
    const { store } = await storeBehindProxy();
    const key = `lease:foreign-${batching}`;
    await store.set(key, 'not a lease');
    await expect(store.acquireLease(`foreign-${batching}`, TTL)).rejects.toMatchObject({ code: 'NOT_A_LEASE', operation: 'acquire_lease' });
    expect(await store.get(key)).toBe('not a lease');
  });

  it('takes the lease on a second write when the first hung (outcome unknown) and never landed, given the time to (waitMs)', async () => {
    const { proxy, store } = await storeBehindProxy();
    proxy.inject({ operation: 'PutItem', fault: 'hang', times: 1 });
    // The call's bound is waitMs + the store's timeoutMs: the hung write uses a whole budget, waitMs gives room for the second.
    const lease = await store.acquireLease(`hung-acquire-${batching}`, { ...TTL, waitMs: 5_000 });
    expect(lease?.token).toBe(1);
    expect(proxy.requests('PutItem')).toBe(2);
    await expect(lease!.release()).resolves.toBe(true);
  });

  it('takes the lease when the answer of its applied write is lost', async () => {
    const { proxy, store } = await storeBehindProxy();
    proxy.inject({ operation: 'PutItem', fault: 'reset-after-forward', times: 1 });
    const lease = await store.acquireLease(`lost-answer-${batching}`, TTL);
    expect(lease?.token).toBe(1);
    await expect(lease!.release()).resolves.toBe(true);
  });

  it('reports KvOutcomeUnknownError (acquire_lease) when a hung write cannot be settled because reads fail too', async () => {
    const { proxy, store } = await storeBehindProxy();
    const name = `unsettled-${batching}`;
    proxy.inject({ operation: 'PutItem', fault: 'hang', times: 1 });
    const acquiring = store.acquireLease(name, TTL);
    const settled = acquiring.catch((error: unknown) => error);
    await requestsSeen(proxy, 'PutItem', 1);
    proxy.inject({ operation: 'GetItem', fault: 'http-500', times: 1_000 });
    proxy.inject({ operation: 'BatchGetItem', fault: 'http-500', times: 1_000 });
    const error = await settled;
    expect(error).toBeInstanceOf(KvOutcomeUnknownError);
    expect(error).toMatchObject({ operation: 'acquire_lease', table: table.name });
  });

  it('never answers null (held by another) while its own write may still land: every write hung, so the outcome is unknown', async () => {
    const { proxy, store } = await storeBehindProxy();
    proxy.inject({ operation: 'PutItem', fault: 'hang' });
    await expect(store.acquireLease(`all-hung-${batching}`, { ...TTL, waitMs: 0 })).rejects.toMatchObject({
      name: 'KvOutcomeUnknownError',
      operation: 'acquire_lease',
    });
  });

  it('releases with true when the release write failed in doubt and is settled by a read and a second write', async () => {
    const { proxy, store } = await storeBehindProxy();
    const name = `hung-release-${batching}`;
    const lease = await store.acquireLease(name, TTL);
    // A 500 (not forwarded): the store cannot tell whether it landed (it never resends a write that may have
    // been applied), so the lease code reads the item and writes again. A hang would take the store's whole budget.
    proxy.inject({ operation: 'PutItem', fault: 'http-500', times: 1 });
    await expect(lease!.release()).resolves.toBe(true);
    expect((await store.acquireLease(name, TTL))?.token).toBe(2);
  });

  it('extends with true when the answer of the extension is lost', async () => {
    const { proxy, store } = await storeBehindProxy();
    const name = `lost-extend-${batching}`;
    const lease = await store.acquireLease(name, { ttlSeconds: 5 });
    const before = lease!.expiresAt.getTime();
    proxy.inject({ operation: 'PutItem', fault: 'reset-after-forward', times: 1 });
    await expect(lease!.extend(60)).resolves.toBe(true);
    expect(lease!.expiresAt.getTime()).toBeGreaterThan(before);
    await expect(lease!.release()).resolves.toBe(true);
  });

  it("gives the lease's item a TTL of ten years at every write, whatever the store's default TTL: the token outlives every lease", async () => {
    const { store } = await storeBehindProxy({ defaultSeconds: 60 });
    const name = `item-ttl-${batching}`;
    const lease = await store.acquireLease(name, { ttlSeconds: 1 });
    expect(await itemExpiry(name)).toBeGreaterThan(Date.now() / 1000 + NINE_YEARS_SECONDS);
    await expect(lease!.extend(2)).resolves.toBe(true);
    await expect(lease!.release()).resolves.toBe(true);
    expect(await itemExpiry(name)).toBeGreaterThan(Date.now() / 1000 + NINE_YEARS_SECONDS);
  });

  it('rejects with KvUnavailableError when DynamoDB is out of reach, writing nothing', async () => {
    const { proxy, store } = await storeBehindProxy();
    const name = `unreachable-${batching}`;
    await proxy.stop();
    await expect(store.acquireLease(name, TTL)).rejects.toBeInstanceOf(KvUnavailableError);
    await proxy.restart();
    expect((await store.acquireLease(name, TTL))?.token).toBe(1);
  });
});
