import { Injectable } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoKvModule, getKvStoreToken, KvUnavailableError, type KVStore } from '../../lib/index.js';
import { currentKvLease } from '../../lib/coordination/exclusive/exclusive-lease.context.js';
import { KvExclusive } from '../../lib/coordination/exclusive/kv-exclusive.decorator.js';
import { useFixture } from '../support/fixture.js';
import { LogCapture } from '../support/log-capture.js';
import { optionsAt } from '../support/store-options.js';
import { LEASE_KEY_PREFIX } from '../../lib/coordination/leases/lease-options.js';
import { decodeLease } from '../../lib/coordination/leases/lease-record.js';

@Injectable()
class Reports {
  runs = 0;
  /** Runs inside the method, before it returns. */
  duringRun: () => Promise<void> = async () => {};

  @KvExclusive('report', { ttlSeconds: 30, holdAtLeastSeconds: 0 })
  async report(): Promise<string | undefined> {
    this.runs += 1;
    await this.duringRun();
    return 'done';
  }

  /** Extended every 2 s: a failed extension leaves time for the next one before the lease's 6 s run out. */
  @KvExclusive('long-report', { ttlSeconds: 6, holdAtLeastSeconds: 0 })
  async longReport(): Promise<string | undefined> {
    this.runs += 1;
    await this.duringRun();
    return 'done';
  }

  /** Held for 0.5 s after the lease was taken. */
  @KvExclusive('held-report', { ttlSeconds: 30, holdAtLeastSeconds: 0.5 })
  async heldReport(): Promise<string | undefined> {
    this.runs += 1;
    await this.duringRun();
    return 'done';
  }

  @KvExclusive('strict-report', { ttlSeconds: 30, holdAtLeastSeconds: 0, onLeaseError: 'throw' })
  async strictReport(): Promise<string | undefined> {
    this.runs += 1;
    return 'done';
  }
}

/** Polls `condition` every 20 ms, for 10 s at most. */
async function until(condition: () => boolean, what: string): Promise<void> {
  for (const deadline = Date.now() + 10_000; !condition(); await sleep(20)) {
    if (Date.now() > deadline) throw new Error(`Gave up waiting for ${what}`);
  }
}

describe('@KvExclusive when DynamoDB is out of reach (a real server behind a proxy that stops)', () => {
  const fixture = useFixture();

  async function start() {
    const table = await fixture.table();
    const proxy = await fixture.faultProxy();
    const logs = new LogCapture();
    const options = { ...optionsAt(proxy.endpoint, table.name), startupCheck: 'off' as const, timeoutMs: 1_000 };
    const app = await fixture.app({ imports: [DynamoKvModule.forRoot(options)], providers: [Reports] }, logs);
    return { proxy, logs, reports: app.get(Reports), store: app.get<KVStore>(getKvStoreToken()) };
  }

  it('does not run the method when taking the lease fails: resolves undefined, and logs one line however many ticks fail', async () => {
    const { proxy, logs, reports } = await start();
    await proxy.stop();
    for (let tick = 0; tick < 3; tick += 1) await expect(reports.report()).resolves.toBeUndefined();
    expect(reports.runs).toBe(0);
    // The store logs each failed call itself; the job adds one line per 10 s at most.
    expect(logs.from('KvExclusive')).toEqual([
      expect.objectContaining({ level: 'error', message: expect.stringMatching(/^Job 'report' did not run: taking its lease failed \(KvUnavailableError: /) }),
    ]);
    expect(logs.from('DynamoKvStore').filter(({ level }) => level === 'error').length).toBeGreaterThanOrEqual(3);
  });

  it("with onLeaseError 'throw', rejects with the store's error instead, logging nothing of its own", async () => {
    const { proxy, logs, reports } = await start();
    await proxy.stop();
    await expect(reports.strictReport()).rejects.toBeInstanceOf(KvUnavailableError);
    expect(reports.runs).toBe(0);
    expect(logs.from('KvExclusive')).toEqual([]);
  });

  it("keeps the method's result when releasing fails, logs it, and the lease stays taken until its TTL", async () => {
    const { proxy, logs, reports, store } = await start();
    reports.duringRun = () => proxy.stop();
    await expect(reports.report()).resolves.toBe('done');
    expect(logs.from('KvExclusive')).toEqual([
      expect.objectContaining({ level: 'warn', message: expect.stringMatching(/^Job 'report' could not release its lease \(Kv(Unavailable|OutcomeUnknown)Error: .*\); it may stay taken until /) }),
    ]);
    await proxy.restart();
    await expect(store.acquireLease('report', { ttlSeconds: 30 })).resolves.toBeNull();
  });

  it('counts the hold from when the lease was taken: a slow lease request does not shorten it', async () => {
    const { proxy, reports, store } = await start();
    let taken: { token: number; atMs: number } | undefined;
    reports.duringRun = () => {
      const lease = currentKvLease();
      // When the lease's write was made (its expiry less its TTL), by this process's clock.
      taken = { token: lease.token, atMs: lease.expiresAt.getTime() - 30_000 };
      return Promise.resolve();
    };
    // The read and the write of the lease request each take 300 ms more: longer than the 0.5 s hold together.
    for (const operation of ['GetItem', 'BatchGetItem', 'PutItem']) proxy.inject({ operation, fault: 'delay', times: 1 });
    await expect(reports.heldReport()).resolves.toBe('done');
    const record = decodeLease(await store.get(LEASE_KEY_PREFIX + 'held-report', { consistentRead: true }), { operation: 'get', table: 'test' });
    expect(record.token).toBe(taken!.token);
    // Still held, until at least the hold after the lease was taken: a late instance of the same tick skips.
    expect(record.released).toBeUndefined();
    expect(record.expiresAtMs).toBeGreaterThanOrEqual(taken!.atMs + 500);
  });

  it('stops an extension in flight when the method returns, instead of waiting for it, and still releases the lease', async () => {
    const { proxy, logs, reports, store } = await start();
    reports.duringRun = async () => {
      // The next extension (2 s into the run) never gets an answer.
      const before = proxy.requests('PutItem');
      proxy.inject({ operation: 'PutItem', fault: 'hang', times: 1 });
      await until(() => proxy.requests('PutItem') > before, 'an extension to be sent');
    };
    await expect(reports.longReport()).resolves.toBe('done');
    await expect(store.acquireLease('long-report', { ttlSeconds: 30 })).resolves.not.toBeNull();
    // The extension was aborted (the store logs that), not left to run out its call budget.
    expect(logs.from('KvExclusive')).toEqual([]);
    const storeLines = logs.from('DynamoKvStore').map(({ message }) => String(message));
    expect(storeLines).toContainEqual(expect.stringMatching(/^kv compare_and_swap failed \(\w+\) .*was aborted by its signal/));
    expect(storeLines.filter((line) => !/was aborted by its signal/.test(line))).toEqual([]);
  }, 20_000);

  it('logs an extension that fails mid-run and tries again: the run keeps its lease through a short outage', async () => {
    const { proxy, logs, reports } = await start();
    const seen: { aborted: boolean; extended: boolean } = { aborted: true, extended: false };
    reports.duringRun = async () => {
      const lease = currentKvLease();
      const firstExpiry = lease.expiresAt.getTime();
      await proxy.stop();
      await until(() => logs.from('KvExclusive').length > 0, 'a failed extension to be logged');
      await proxy.restart();
      await until(() => lease.expiresAt.getTime() > firstExpiry || lease.signal.aborted, 'the next extension');
      seen.aborted = lease.signal.aborted;
      seen.extended = lease.expiresAt.getTime() > firstExpiry;
    };
    await expect(reports.longReport()).resolves.toBe('done');
    expect(seen).toEqual({ aborted: false, extended: true });
    expect(logs.from('KvExclusive')).toEqual([
      expect.objectContaining({ level: 'warn', message: expect.stringMatching(/^Job 'long-report' could not extend its lease \(Kv\w+Error: .*\); it tries again in 2000 ms\.$/) }),
    ]);
  }, 20_000);
});
