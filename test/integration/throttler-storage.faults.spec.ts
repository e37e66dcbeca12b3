import { Logger } from '@nestjs/common';
import { KvStoreError } from '../../lib/index.js';
import { DynamoKvThrottlerStorage, type DynamoKvThrottlerStorageOptions } from '../../lib/throttler/index.js';
import { throttleStoreKey } from '../../lib/throttler/throttle-key.js';
import { useFixture, useTable } from '../support/fixture.js';
import { LogCapture } from '../support/log-capture.js';
import { SILENT_LOGGER } from '../support/silent-logger.js';
import { optionsAt } from '../support/store-options.js';

const TTL = 60_000;
const LIMIT = 3;

/** What each fail mode answers for a hit of this throttler (limit 3 in 60 s, blocked 60 s). */
const FAILED_OPEN = { totalHits: 0, timeToExpire: 60, isBlocked: false, timeToBlockExpire: 0 };
const FAILED_CLOSED = { totalHits: LIMIT + 1, timeToExpire: 60, isBlocked: true, timeToBlockExpire: 60 };

describe('DynamoKvThrottlerStorage when DynamoDB cannot answer (a fault-injecting proxy in front of a real server)', () => {
  const table = useTable();
  const fixture = useFixture();
  let logs: LogCapture;
  let tests = 0;

  afterEach(() => Logger.overrideLogger(SILENT_LOGGER));

  /**
   * A storage over a store behind a proxy of its own. The store's own budget, and its client's timeout per
   * attempt, are long (20 s, 25 s), so an answer within the storage's budget is the storage's doing. With
   * `sdkAttempts: 1` the SDK does not resend: a refused connection or a throttled request is the store's
   * answer at once, whose reason the test can then expect, rather than a budget spent in the SDK's backoff.
   * Logs are captured from here on (test apps set the logger when they start). Each test's keys have a
   * prefix of their own: the table is shared.
   */
  async function storageBehindProxy(options: DynamoKvThrottlerStorageOptions, sdkAttempts?: number) {
    tests += 1;
    const prefix = `test-${tests}:`;
    const proxy = await fixture.faultProxy();
    const { store } = await fixture.storeApp({
      ...optionsAt(proxy.endpoint, table.name, { requestHandler: { requestTimeout: 25_000 }, ...(sdkAttempts === undefined ? {} : { maxAttempts: sdkAttempts }) }),
      timeoutMs: 20_000,
    });
    logs = new LogCapture();
    Logger.overrideLogger(logs);
    const storage = new DynamoKvThrottlerStorage(store, { prefix, ...options });
    return { proxy, store, prefix, hit: (key = 'client') => storage.increment(key, TTL, LIMIT, TTL, 'default') };
  }

  function warnings(): string[] {
    return logs.from('DynamoKvThrottlerStorage').filter(({ level }) => level === 'warn').map(({ message }) => String(message));
  }

  it.each([
    ['open', FAILED_OPEN],
    ['closed', FAILED_CLOSED],
  ] as const)('fails %s while DynamoDB is out of reach, warns without the key, and counts again once it is back', async (failMode, expected) => {
    const { proxy, hit } = await storageBehindProxy({ failMode }, 1);
    await proxy.stop();
    await expect(hit('secret-client')).resolves.toEqual(expected);
    expect(warnings()).toEqual([expect.stringMatching(new RegExp(`^Failing ${failMode}: a request was .+ KvUnavailableError: DynamoDB could not be reached`))]);
    expect(logs.lines.map(({ text }) => text).join('\n')).not.toContain('secret-client');

    await proxy.restart();
    // The hit of the outage was not counted.
    await expect(hit('secret-client')).resolves.toMatchObject({ totalHits: 1, isBlocked: false });
  });

  it('answers within its budget (timeoutMs) when DynamoDB hangs, for the hit and for the hits queued behind it on its key', async () => {
    const { proxy, hit } = await storageBehindProxy({ timeoutMs: 200, failMode: 'closed' });
    proxy.inject({ operation: 'GetItem', fault: 'hang' });
    const started = performance.now();
    const answers = await Promise.all([hit(), hit(), hit(), hit(), hit()]);
    // A bound, not a speed: the budget and a margin for a loaded machine, against the store's own budget
    // (20 s), which alone would otherwise have ended the call.
    expect(performance.now() - started).toBeLessThan(200 + 1_500);
    expect(answers).toEqual(Array.from({ length: 5 }, () => FAILED_CLOSED));
    expect(warnings()).toEqual([expect.stringContaining('did not answer within the 200 ms budget')]);
  });

  it('fails by its mode when DynamoDB throttles (the per-key ceiling of a hot record)', async () => {
    const { proxy, hit } = await storageBehindProxy({}, 1);
    proxy.inject({ operation: 'GetItem', fault: 'throttle' });
    await expect(hit()).resolves.toEqual(FAILED_OPEN);
    expect(warnings()).toEqual([expect.stringContaining('KvThrottledError')]);
  });

  it("fails by its mode when a write's outcome is unknown (the hit may have been counted), never with a guessed count", async () => {
    const { proxy, hit } = await storageBehindProxy({ timeoutMs: 5_000, failMode: 'closed' });
    await hit();
    proxy.inject({ operation: 'PutItem', fault: 'http-500' });
    await expect(hit()).resolves.toEqual(FAILED_CLOSED);
    expect(warnings()).toEqual([expect.stringContaining('KvOutcomeUnknownError')]);
  });

  it('counts a hit once, and answers it exactly, when the answer to its write was lost (the store settles it by its token)', async () => {
    const { proxy, store, prefix, hit } = await storageBehindProxy({ timeoutMs: 5_000 });
    await hit();
    proxy.inject({ operation: 'PutItem', fault: 'reset-after-forward', times: 1 });
    await expect(hit()).resolves.toMatchObject({ totalHits: 2, isBlocked: false });
    await expect(hit()).resolves.toMatchObject({ totalHits: 3, isBlocked: false });
    const stored = JSON.parse(await store.get(throttleStoreKey(prefix, 'client'))) as { h: Array<[string, string]> };
    expect(stored.h[0]![1].split(',')).toHaveLength(3);
    expect(warnings()).toEqual([]);
  });

  it('rejects, whatever its fail mode, when DynamoDB refuses the request (a permission is missing): that is to be fixed, not ridden out', async () => {
    const { proxy, hit } = await storageBehindProxy({ failMode: 'open', timeoutMs: 5_000 });
    proxy.inject({ operation: 'GetItem', fault: 'access-denied' });
    const error = await hit().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(KvStoreError);
    expect(error).toMatchObject({ code: 'KV_STORE_ERROR', operation: 'get' });
    expect(warnings()).toEqual([]);
  });

  it('warns once per ten seconds in an outage, counting the requests since', async () => {
    const { proxy, hit } = await storageBehindProxy({}, 1);
    await proxy.stop();
    for (let index = 0; index < 4; index += 1) await hit(`client-${index}`);
    expect(warnings()).toHaveLength(1);
  });
});
