import { acquireLease, KvOutcomeUnknownError, KvUnavailableError, type KvLeaseOptions, type KVStore, type LeaseStoreContext } from '../../lib/index.js';
import type { FaultProxy } from '../support/fault-proxy.js';
import { useFixture, useTable } from '../support/fixture.js';
import { optionsAt } from '../support/store-options.js';

/** The store's budget for each call, and so the bound of a lease call beyond its waitMs. */
const BUDGET_MS = 1_000;
const STORE_OPTIONS = { timeoutMs: BUDGET_MS, startupCheck: 'off', metrics: { enabled: false } } as const;
const TTL = { ttlSeconds: 60 };
/** Rival acquisitions that get in before each of a caller's writes: more than the old code's three late rounds. */
const RIVALS = 5;

/** Resolves when `signal` aborts; rejects after `withinMs`. */
function abortOf(signal: AbortSignal, withinMs: number): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the lease's signal did not abort within ${withinMs} ms`)), withinMs);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

/**
 * A store in which, before each lease write of the caller is sent, another owner takes the lease and
 * releases it again (through the same table) while `rivalNow()` says so: the caller always reads the lease
 * free and always loses the race for it. A real second client, scheduled at the worst moment.
 */
function contested(store: KVStore, context: LeaseStoreContext, rivalNow: () => boolean): KVStore {
  const rival = async (name: string): Promise<void> => {
    if (!rivalNow()) return;
    const lease = await acquireLease(store, name, TTL, context);
    await lease?.release();
  };
  const leaseName = (key: string): string => key.slice('lease:'.length);
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'setIfAbsent' || property === 'compareAndSwap') {
        return async (key: string, ...rest: unknown[]) => {
          await rival(leaseName(key));
          return (target[property] as (...args: unknown[]) => Promise<boolean>).call(target, key, ...rest);
        };
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/**
 * Lease calls end within their bound (waitMs plus the store's timeoutMs) whatever happens inside them, and
 * a lease answer is true when it arrives: a lease with time left, an extension that has not run out, a
 * null only when another owner holds the lease.
 */
describe.each([
  ['batching on', true],
  ['batching off', false],
])('DynamoKvStore leases against hangs, slow answers and races (%s)', (_label, batching) => {
  const table = useTable();
  const fixture = useFixture();
  /** What DynamoKvStore.acquireLease gives the lease code: its table, its clock and its budget. */
  const context = (): LeaseStoreContext => ({ table: table.name, now: Date.now, timeoutMs: BUDGET_MS });
  const acquire = (store: KVStore, name: string, options: KvLeaseOptions = TTL) => acquireLease(store, name, options, context());

  async function storeBehindProxy(): Promise<{ proxy: FaultProxy; store: KVStore }> {
    const proxy = await fixture.faultProxy();
    const { store } = await fixture.storeApp({ ...optionsAt(proxy.endpoint, table.name), ...STORE_OPTIONS, batching: { enabled: batching } });
    return { proxy, store };
  }

  describe('bounded: one deadline for the whole call, however many store calls it takes', () => {
    it('acquireLease sends one write and ends in KvOutcomeUnknownError when every write hangs (no rounds after its bound)', async () => {
      const { proxy, store } = await storeBehindProxy();
      proxy.inject({ operation: 'PutItem', fault: 'hang' });
      await expect(acquire(store, `hung-${batching}`)).rejects.toMatchObject({ name: 'KvOutcomeUnknownError', operation: 'acquire_lease' });
      expect(proxy.requests('PutItem')).toBe(1);
    });

    it('extend and release each send one write and end in KvOutcomeUnknownError when every write hangs', async () => {
      const { proxy, store } = await storeBehindProxy();
      const lease = await acquire(store, `hung-holder-${batching}`);
      proxy.inject({ operation: 'PutItem', fault: 'hang' });
      await expect(lease!.extend()).rejects.toBeInstanceOf(KvOutcomeUnknownError);
      expect(proxy.requests('PutItem')).toBe(2);
      await expect(lease!.release()).rejects.toMatchObject({ name: 'KvOutcomeUnknownError', operation: 'release_lease' });
      expect(proxy.requests('PutItem')).toBe(3);
    });
  });

  describe('slow answers: nothing is handed out or kept that has already run out', () => {
    it('takes the lease again when its write was answered after the lease ran out, and hands out one with time left', async () => {
      const { proxy, store } = await storeBehindProxy();
      proxy.inject({ operation: 'PutItem', fault: 'delay', times: 1 }); // 300 ms, past the 0.2 s lease
      const lease = await store.acquireLease(`slow-acquire-${batching}`, { ttlSeconds: 0.2 });
      expect(lease?.signal.aborted).toBe(false);
      expect(lease!.expiresAt.getTime()).toBeGreaterThan(Date.now());
      expect(proxy.requests('PutItem')).toBe(2);
    });

    it('answers extend false when the new TTL ran out before the answer came', async () => {
      const { proxy, store } = await storeBehindProxy();
      const lease = await store.acquireLease(`slow-extend-${batching}`, TTL);
      proxy.inject({ operation: 'PutItem', fault: 'delay', times: 1 });
      await expect(lease!.extend(0.05)).resolves.toBe(false);
      expect(lease!.signal.aborted).toBe(true);
    });

    it('frees the lease when an extension lands after the lease ran out here, instead of leaving it taken for the new TTL', async () => {
      const { proxy, store } = await storeBehindProxy();
      const name = `late-extension-${batching}`;
      const lease = await store.acquireLease(name, { ttlSeconds: 0.2 });
      proxy.inject({ operation: 'PutItem', fault: 'delay', times: 1 }); // lands about 300 ms later, with 60 s more
      await expect(lease!.extend(60)).resolves.toBe(false);
      const next = await store.acquireLease(name, TTL);
      expect(next?.token).toBe(lease!.token + 1);
      await expect(lease!.release()).resolves.toBe(true); // already freed by this holder: true again, and nothing touched
      expect(next?.signal.aborted).toBe(false);
      await expect(next!.release()).resolves.toBe(true);
    });
  });

  describe('in doubt: the holder counts on no more than the item may say', () => {
    it('stops the holder by a shorter TTL while the extension is on its way, not once it is answered', async () => {
      const { proxy, store } = await storeBehindProxy();
      const lease = await acquire(store, `shortening-${batching}`);
      proxy.inject({ operation: 'PutItem', fault: 'hang', times: 1 });
      let answered = false;
      const extending = lease!.extend(0.2).finally(() => (answered = true));
      // The 0.2 s lease's deadline comes about 180 ms after the call; the hung write ends at the bound (1 s).
      await abortOf(lease!.signal, 900);
      expect(answered).toBe(false);
      await expect(extending).rejects.toBeInstanceOf(KvOutcomeUnknownError);
    });

    it('stops the holder by the shorter TTL an extension in doubt may have written', async () => {
      const { proxy, store } = await storeBehindProxy();
      let clock = Date.now();
      const lease = await acquireLease(store, `doubtful-extension-${batching}`, TTL, { ...context(), now: () => clock });
      // The extension lands; its answer is lost, and so is every read that would settle it.
      proxy.inject({ operation: 'PutItem', fault: 'reset-after-forward', times: 1 });
      for (const operation of ['GetItem', 'BatchGetItem']) proxy.inject({ operation, fault: 'http-500' });
      const calledAt = clock;
      await expect(lease!.extend(1)).rejects.toMatchObject({ name: 'KvOutcomeUnknownError', operation: 'extend_lease' });
      expect(lease!.signal.aborted).toBe(false);
      clock = calledAt + 1_000 - 100; // where a 1 s lease written at the call would stop its holder (margin 100 ms)
      await abortOf(lease!.signal, 3_000);
      expect(lease!.expiresAt.getTime()).toBeGreaterThan(clock); // the last known expiry stays what it was
    });
  });

  describe('races: null only when another owner holds the lease', () => {
    it(`keeps trying after waitMs while the lease is free but taken from under it (${RIVALS} times), then takes it`, async () => {
      const { store } = await storeBehindProxy();
      let rivals = RIVALS;
      const lease = await acquire(
        contested(store, context(), () => (rivals -= 1) >= 0),
        `raced-${batching}`,
      );
      expect(lease?.token).toBe(RIVALS + 1);
      await lease?.release();
    });

    it('ends in an error, never null, when the lease keeps changing hands until the bound runs out', async () => {
      const { store } = await storeBehindProxy();
      const error: unknown = await acquire(contested(store, context(), () => true), `raced-forever-${batching}`).then(
        (answer) => answer,
        (failure: unknown) => failure,
      );
      // The bound ends the call before a write is sent (nothing of it holds the lease) or while one is on its way.
      expect(error instanceof KvUnavailableError || error instanceof KvOutcomeUnknownError).toBe(true);
      expect(error).toMatchObject({ operation: 'acquire_lease' });
    });
  });
});
