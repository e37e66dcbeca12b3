import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import type { KVStore } from '../../lib/index.js';
import { InMemoryKvStore } from '../../lib/testing/index.js';
import {
  DynamoKvThrottlerStorage,
  InvalidThrottleArgumentError,
  InvalidThrottleRecordError,
  InvalidThrottlerStorageOptionsError,
  MAX_THROTTLE_RECORD_BYTES,
  ThrottleRecordTooLargeError,
  type DynamoKvThrottlerStorageOptions,
} from '../../lib/throttler/index.js';
import { throttleStoreKey } from '../../lib/throttler/throttle-key.js';
import { encodeRecord, type ThrottleRecord } from '../../lib/throttler/throttle-record.js';
import { useFixture, useTable } from '../support/fixture.js';
import { LogCapture } from '../support/log-capture.js';
import { SILENT_LOGGER } from '../support/silent-logger.js';
import { serverOptions } from '../support/store-options.js';
import { referenceStorage, type ReferenceStorage } from '../support/throttler-reference.js';

/** One call of `increment`, after the clock moved on by `advanceMs`, on one of the instances. */
interface Step {
  advanceMs: number;
  instance: number;
  key: string;
  ttl: number;
  limit: number;
  blockDuration: number;
  throttlerName: string;
}

/**
 * A budget the answer-comparison tests should never reach, on a loaded machine either: they compare
 * answers, over hundreds of sequences. The concurrency tests (here and in throttler-storage.concurrency)
 * and the fault tests run with the default options.
 */
const GENEROUS: DynamoKvThrottlerStorageOptions = { timeoutMs: 10_000, failMode: 'closed' };

/**
 * Runs `play` and fails if the storage warned meanwhile (it logs through Nest's Logger, as libraries do,
 * and warns whenever its fail mode answers): the tests that compare answers must get real ones. Test
 * apps set the logger when they start, so this sets it after.
 */
async function withoutWarnings<T>(play: () => Promise<T>): Promise<T> {
  const capture = new LogCapture();
  Logger.overrideLogger(capture);
  try {
    return await play();
  } finally {
    Logger.overrideLogger(SILENT_LOGGER);
    expect(capture.lines.filter(({ level }) => level === 'warn')).toEqual([]);
  }
}

describe('DynamoKvThrottlerStorage answers as ThrottlerStorageService (a controlled clock, every field compared)', () => {
  // Date.now is the clock of the reference, of this storage and of both stores' expiry: stores made after
  // this took the mock (they keep the function they were given).
  let now = Date.UTC(2026, 0, 1);
  beforeAll(() => jest.spyOn(Date, 'now').mockImplementation(() => now));
  afterAll(() => jest.restoreAllMocks());
  const table = useTable();
  const fixture = useFixture('all');
  let run = 0;

  /** Plays `steps` on the reference and on `storages` (step by step, each on its instance); the first difference throws. */
  function expectSameAnswers(steps: readonly Step[], storages: readonly ThrottlerStorage[]): Promise<void> {
    return withoutWarnings(() => play(steps, storages));
  }

  async function play(steps: readonly Step[], storages: readonly ThrottlerStorage[]): Promise<void> {
    const reference: ReferenceStorage = referenceStorage();
    // Keys of their own per run: the table outlives runs.
    run += 1;
    try {
      for (const [index, step] of steps.entries()) {
        now += step.advanceMs;
        const key = `run-${run}-${step.key}`;
        // The in-memory storage's sweep, as if it had just run: idle records forgotten (see isIdle).
        reference.evictIdleRecords(now);
        const expected = await reference.increment(key, step.ttl, step.limit, step.blockDuration, step.throttlerName);
        const storage = storages[step.instance % storages.length]!;
        const actual = await storage.increment(key, step.ttl, step.limit, step.blockDuration, step.throttlerName);
        if (!isDeepStrictEqual({ ...actual }, { ...expected })) {
          const played = steps.slice(0, index + 1).map((played) => JSON.stringify(played)).join('\n');
          throw new Error(`Step ${index} answered ${JSON.stringify(actual)}, the in-memory storage ${JSON.stringify(expected)}, after:\n${played}`);
        }
      }
    } finally {
      reference.onApplicationShutdown();
    }
  }

  /** Two instances of the app (each its own store, with its own client) over one table. */
  async function dynamoInstances(): Promise<DynamoKvThrottlerStorage[]> {
    const first = await fixture.storeApp(serverOptions(table.name));
    const second = await fixture.storeApp(serverOptions(table.name));
    return [new DynamoKvThrottlerStorage(first.store, GENEROUS), new DynamoKvThrottlerStorage(second.store, GENEROUS)];
  }

  const ttls = fc.constantFrom(1_000, 2_500, 5_000);
  const step = fc.record({
    advanceMs: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 0, max: 1_500 }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 12_000 }) }),
    instance: fc.integer({ min: 0, max: 1 }),
    key: fc.constantFrom('a', 'b'),
    ttl: ttls,
    limit: fc.integer({ min: 0, max: 4 }),
    // The guard's default blockDuration is the ttl; 0 and below turn blocking off.
    blockDuration: fc.oneof(ttls, fc.constantFrom(0, -1, 700, 3_000)),
    throttlerName: fc.constantFrom('default', 'long'),
  });
  const steps = fc.array(step, { minLength: 1, maxLength: 30 });
  /**
   * Sequences for several instances: each key blocks in all of its hits or in none. Blocks an instance
   * knows of answer without a call, exact as long as no instance counts a hit on the key meanwhile, which
   * only a throttler that does not block (and counts even on a blocked key) would do; with the guard, every
   * hit on a key has the same throttler options (see docs/throttler.md).
   */
  const sharedSteps = fc.tuple(fc.boolean(), fc.boolean(), steps).map(([aBlocks, bBlocks, sequence]) =>
    sequence.map((played) => {
      const blocks = played.key === 'a' ? aBlocks : bBlocks;
      if (blocks === played.blockDuration > 0) return played;
      return { ...played, blockDuration: blocks ? played.ttl : 0 };
    }),
  );

  it('a limit of 2 in 10 s, blocked 5 s: the literal answers, on DynamoDB', async () => {
    const [storage] = await dynamoInstances();
    const hit = (advanceMs: number): Promise<unknown> => {
      now += advanceMs;
      return storage!.increment('literal', 10_000, 2, 5_000, 'default');
    };
    // Unblocked answers carry a timeToBlockExpire the guard ignores (from a block time of 0 here: far negative).
    await expect(hit(0)).resolves.toMatchObject({ totalHits: 1, timeToExpire: 10, isBlocked: false });
    await expect(hit(1_000)).resolves.toMatchObject({ totalHits: 2, timeToExpire: 9, isBlocked: false });
    await expect(hit(1_000)).resolves.toEqual({ totalHits: 3, timeToExpire: 8, isBlocked: true, timeToBlockExpire: 5 });
    await expect(hit(2_500)).resolves.toEqual({ totalHits: 3, timeToExpire: 6, isBlocked: true, timeToBlockExpire: 3 });
    // The block ended: counting starts over with this hit, though the window has 2.5 s to go.
    await expect(hit(3_000)).resolves.toMatchObject({ totalHits: 1, timeToExpire: 3, isBlocked: false });
  });

  it('the same sequences of hits, on InMemoryKvStore (one storage, and two sharing the store)', async () => {
    await fc.assert(
      fc.asyncProperty(steps, (sequence) => expectSameAnswers(sequence, [new DynamoKvThrottlerStorage(new InMemoryKvStore({ now: () => now }), GENEROUS)])),
      { numRuns: 150 },
    );
    await fc.assert(
      fc.asyncProperty(sharedSteps, async (sequence) => {
        const store = new InMemoryKvStore({ now: () => now });
        await expectSameAnswers(sequence, [new DynamoKvThrottlerStorage(store, GENEROUS), new DynamoKvThrottlerStorage(store, GENEROUS)]);
      }),
      { numRuns: 150 },
    );
  });

  /** Hits that arrive together, at one instant, on one instance: each batch after the clock moved on by its `advanceMs`. */
  const batches = fc.array(fc.record({ advanceMs: fc.integer({ min: 0, max: 6_000 }), hits: fc.array(step, { minLength: 1, maxLength: 12 }) }), {
    minLength: 1,
    maxLength: 8,
  });

  /**
   * Plays each batch at once on `storage` (one round, and answers from a record seen, instead of a call
   * per hit) and one after the other on the reference, in the order they were sent: the same answers.
   */
  async function expectSameAnswersAtOnce(played: ReadonlyArray<{ advanceMs: number; hits: Step[] }>, storage: ThrottlerStorage): Promise<void> {
    const reference: ReferenceStorage = referenceStorage();
    run += 1;
    const keyOf = (hit: Step): string => `run-${run}-${hit.key}`;
    try {
      await withoutWarnings(async () => {
        for (const [index, { advanceMs, hits }] of played.entries()) {
          now += advanceMs;
          reference.evictIdleRecords(now);
          const expected = [];
          for (const hit of hits) expected.push({ ...(await reference.increment(keyOf(hit), hit.ttl, hit.limit, hit.blockDuration, hit.throttlerName)) });
          const actual = await Promise.all(hits.map((hit) => storage.increment(keyOf(hit), hit.ttl, hit.limit, hit.blockDuration, hit.throttlerName)));
          if (!isDeepStrictEqual(actual.map((answer) => ({ ...answer })), expected)) {
            const after = JSON.stringify(played.slice(0, index + 1));
            throw new Error(`Batch ${index} answered ${JSON.stringify(actual)}, the in-memory storage ${JSON.stringify(expected)}, after:\n${after}`);
          }
        }
      });
    } finally {
      reference.onApplicationShutdown();
    }
  }

  it('hits that arrive together, on InMemoryKvStore and on DynamoDB: answered as one after the other', async () => {
    const [instance] = await dynamoInstances();
    await fc.assert(
      fc.asyncProperty(batches, async (played) => {
        await expectSameAnswersAtOnce(played, new DynamoKvThrottlerStorage(new InMemoryKvStore({ now: () => now }), GENEROUS));
        await expectSameAnswersAtOnce(played, instance!);
      }),
      { numRuns: 40 },
    );
  }, 120_000);

  it('the same sequences of hits, on DynamoDB, spread over two instances of the app', async () => {
    const instances = await dynamoInstances();
    await fc.assert(
      fc.asyncProperty(sharedSteps, (sequence) => expectSameAnswers(sequence, instances)),
      { numRuns: 25 },
    );
  }, 120_000);

  it('keeps one record per key, in one value that expires once the key is idle', async () => {
    const { store } = await fixture.storeApp(serverOptions(table.name));
    const storage = new DynamoKvThrottlerStorage(store, GENEROUS);
    const start = now;
    await storage.increment('expiring', 4_000, 5, 0, 'default');
    now += 3_000;
    await storage.increment('expiring', 4_000, 5, 0, 'default');
    // Under the SHA-256 of the guard's key: the window's end, no block, and the hits' expiries as the first
    // one and the gaps after it, in base 36.
    const key = throttleStoreKey('throttler:', 'expiring');
    expect(key).toMatch(/^throttler:[\w-]{43}$/);
    const stored = JSON.parse(await store.get(key)) as unknown;
    expect(stored).toEqual({ v: 2, e: start + 4_000, b: 0, k: 0, h: [['default', `${(start + 4_000).toString(36)},${(3_000).toString(36)}`]] });
    // The last hit ends 4 s after it; the value lives until then and a little longer (whole seconds, and one for
    // clocks a little behind), then is gone.
    now = start + 6_999;
    await expect(store.get(key)).resolves.toBe(JSON.stringify(stored));
    now = start + 9_000;
    await expect(store.get(key)).rejects.toMatchObject({ code: 'KEY_NOT_FOUND', expired: true });
  });
});

describe('DynamoKvThrottlerStorage under concurrency: exactly `limit` hits get through', () => {
  const table = useTable();
  const fixture = useFixture();
  const HITS = 40;
  const LIMIT = 10;

  /** `HITS` concurrent increments on one key, spread over `storages` in turn. */
  async function burst(storages: readonly ThrottlerStorage[], key: string, blockDuration: number) {
    const answers = await withoutWarnings(() =>
      Promise.all(Array.from({ length: HITS }, (_, index) => storages[index % storages.length]!.increment(key, 60_000, LIMIT, blockDuration, 'default'))),
    );
    return { allowed: answers.filter(({ isBlocked }) => !isBlocked), refused: answers.filter(({ isBlocked }) => isBlocked) };
  }

  /** Two instances with the default options, each warmed up by a hit on a key of its own (a client's first calls may take longer than the budget on a loaded machine). */
  async function twoInstances(): Promise<ThrottlerStorage[]> {
    const first = await fixture.storeApp(serverOptions(table.name));
    const second = await fixture.storeApp(serverOptions(table.name));
    const storages = [new DynamoKvThrottlerStorage(first.store), new DynamoKvThrottlerStorage(second.store)];
    await Promise.all(storages.map((storage, index) => storage.increment(`warm-up-${index}`, 1_000, 1, 1_000, 'default')));
    return storages;
  }

  it.each([
    ['blocking (blockDuration 60 s)', 60_000],
    ['not blocking (blockDuration 0)', 0],
  ])('%s, over two instances on DynamoDB: each count answered once, no hit lost or counted twice', async (_, blockDuration) => {
    const { allowed, refused } = await burst(await twoInstances(), `burst-${blockDuration}`, blockDuration);
    expect(allowed.map(({ totalHits }) => totalHits).sort((a, b) => a - b)).toEqual(Array.from({ length: LIMIT }, (_, index) => index + 1));
    expect(refused).toHaveLength(HITS - LIMIT);
    // Blocking counts the hit that crossed the limit and none while blocked; not blocking counts none over it.
    for (const answer of refused) expect(answer.totalHits).toBe(LIMIT + 1);
  });

  it('over two instances sharing one InMemoryKvStore', async () => {
    const store = new InMemoryKvStore();
    const { allowed } = await burst([new DynamoKvThrottlerStorage(store), new DynamoKvThrottlerStorage(store)], 'memory', 60_000);
    expect(allowed).toHaveLength(LIMIT);
  });

  it('counts in the store: a second burst on the same key gets nothing through, a burst on another key its own limit', async () => {
    const instances = await twoInstances();
    await burst(instances, 'shared', 60_000);
    expect((await burst(instances, 'shared', 60_000)).allowed).toHaveLength(0);
    expect((await burst(instances, 'other', 60_000)).allowed).toHaveLength(LIMIT);
  });
});

describe('DynamoKvThrottlerStorage input', () => {
  const table = useTable();
  const fixture = useFixture();

  /** A store that fails the test if called: bad input must be refused before any request. */
  function untouchableStore(): KVStore {
    return new Proxy({ keyPrefix: '' } as KVStore, {
      get: (target, property) => (property === 'keyPrefix' ? target.keyPrefix : () => Promise.reject(new Error(`store.${String(property)} was called`))),
    });
  }

  it.each([
    ['key', [42, 1000, 1, 1000, 'default']],
    ['key', [undefined, 1000, 1, 1000, 'default']],
    ['ttl', ['k', 0, 1, 1000, 'default']],
    ['ttl', ['k', 1.5, 1, 1000, 'default']],
    ['ttl', ['k', Number.NaN, 1, 1000, 'default']],
    ['limit', ['k', 1000, -1, 1000, 'default']],
    ['limit', ['k', 1000, Number.POSITIVE_INFINITY, 1000, 'default']],
    ['limit', ['k', 1000, 5_001, 1000, 'default']],
    ['blockDuration', ['k', 1000, 1, Number.NaN, 'default']],
    ['blockDuration', ['k', 1000, 1, '1000', 'default']],
    ['throttlerName', ['k', 1000, 1, 1000, undefined]],
    ['throttlerName', ['k', 1000, 1, 1000, 'n'.repeat(257)]],
  ])("refuses a bad '%s' with InvalidThrottleArgumentError, before any request", async (argument, args) => {
    const storage = new DynamoKvThrottlerStorage(untouchableStore());
    const increment = storage.increment.bind(storage) as (...input: unknown[]) => Promise<unknown>;
    const error = await increment(...args).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidThrottleArgumentError);
    expect(error).toMatchObject({ argument, code: 'INVALID_THROTTLE_ARGUMENT' });
  });

  it.each([
    ['prefix', { prefix: 7 }],
    ['prefix', { prefix: 'p'.repeat(513) }],
    ['prefix', { prefix: 'rl\uD800:' }],
    ['timeoutMs', { timeoutMs: 0 }],
    ['timeoutMs', { timeoutMs: 120_000 }],
    ['failMode', { failMode: 'shut' }],
  ])("refuses a bad option '%s' when constructed", (option, options) => {
    const construct = (): unknown => new DynamoKvThrottlerStorage(untouchableStore(), options as DynamoKvThrottlerStorageOptions);
    expect(construct).toThrow(InvalidThrottlerStorageOptionsError);
    expect(construct).toThrow(`option '${option}'`);
  });

  it('rejects with InvalidThrottleRecordError, whatever the fail mode, when the key holds a value it did not write', async () => {
    const { store } = await fixture.storeApp(serverOptions(table.name));
    const key = throttleStoreKey('throttler:', 'taken');
    await store.set(key, '{"not":"a record"}');
    const storage = new DynamoKvThrottlerStorage(store, { failMode: 'open' });
    await expect(storage.increment('taken', 1_000, 1, 1_000, 'default')).rejects.toBeInstanceOf(InvalidThrottleRecordError);
    await expect(store.get(key)).resolves.toBe('{"not":"a record"}');
  });

  it('rejects with ThrottleRecordTooLargeError, whatever the fail mode, when a hit would take the record over its bound: nothing written', async () => {
    const { store } = await fixture.storeApp(serverOptions(table.name));
    const now = Date.now();
    const TEN_YEARS = 10 * 365 * 86_400_000;
    // Two large throttlers on one key (a generateKey without the throttler's name), and a third whose name
    // pads the record to 4 bytes under the bound: one more hit of 'long' (a gap of nine years, 9 bytes) is too many.
    // Every hit at least a minute ahead: none expires (and drops out) during the test.
    const spread = (count: number, span: number): number[] => Array.from({ length: count }, (_, index) => now + 60_000 + Math.floor((span * index) / count));
    const record = (pad: string): ThrottleRecord => ({
      expiresAt: now + TEN_YEARS,
      blockExpiresAt: 0,
      isBlocked: false,
      hits: new Map([
        ['short', spread(5_001, TEN_YEARS)],
        ['long', spread(2_000, TEN_YEARS / 10)],
        [pad, [now + 60_000]],
      ]),
    });
    const value = encodeRecord(record('x'.repeat(MAX_THROTTLE_RECORD_BYTES - 4 - Buffer.byteLength(encodeRecord(record(''))))));
    expect(Buffer.byteLength(value)).toBe(MAX_THROTTLE_RECORD_BYTES - 4);
    const key = throttleStoreKey('throttler:', 'two-throttlers');
    await store.set(key, value);
    const storage = new DynamoKvThrottlerStorage(store, { failMode: 'open' });
    const error = await storage.increment('two-throttlers', TEN_YEARS, 5_000, TEN_YEARS, 'long').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ThrottleRecordTooLargeError);
    expect(error).toMatchObject({ code: 'THROTTLE_RECORD_TOO_LARGE', maxBytes: MAX_THROTTLE_RECORD_BYTES });
    await expect(store.get(key)).resolves.toBe(value);
  });

  it("puts its prefix before the hash of the guard's key, after the store's own keyPrefix", async () => {
    const { store } = await fixture.storeApp({ ...serverOptions(table.name), keyPrefix: 'app:' });
    await new DynamoKvThrottlerStorage(store, { prefix: 'rl:' }).increment('client', 1_000, 1, 1_000, 'default');
    await expect(store.get(throttleStoreKey('rl:', 'client'))).resolves.toMatch(/^\{"v":2,/);
  });

  it('takes any key, however long or whatever it holds, and never stores it as it is', async () => {
    const { store } = await fixture.storeApp({ ...serverOptions(table.name), keyPrefix: 'keys:' });
    const storage = new DynamoKvThrottlerStorage(store);
    // Over DynamoDB's 2048-byte key limit, lone surrogates (two that UTF-8 would both turn into U+FFFD), a client's address.
    const keys = ['k'.repeat(10_000), 'ab\uD800', 'ab\uDBFF', '203.0.113.7', ''];
    for (const key of keys) await expect(storage.increment(key, 60_000, 1, 60_000, 'default')).resolves.toMatchObject({ totalHits: 1, isBlocked: false });
    // Each key its own record (the second hit on each is its own second), under its hash only.
    for (const key of keys) await expect(storage.increment(key, 60_000, 1, 60_000, 'default')).resolves.toMatchObject({ totalHits: 2, isBlocked: true });
    const stored: string[] = [];
    for await (const page of store.listKeys()) stored.push(...page);
    expect(stored.sort()).toEqual(keys.map((key) => throttleStoreKey('throttler:', key)).sort());
    expect(stored.join('\n')).not.toContain('203.0.113.7');
  });
});
