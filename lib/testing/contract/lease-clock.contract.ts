import assert from 'node:assert/strict';
import type { KvLease, KvLeaseOptions } from '../../contract/kv-lease.interface.js';
import { KvOutcomeUnknownError, KvUnavailableError } from '../../contract/kv-store.errors.js';
import { acquireLease } from '../../coordination/leases/acquire-lease.js';
import type { ContractContext } from './contract-test-api.js';

/** A half-second lease: its safety margin is a tenth of its TTL (docs/leases.md), 50 ms. */
const SHORT = { ttlSeconds: 0.5, marginMs: 50 } as const;
/** A two-second lease (margin 200 ms), for the clock-skew tests, which run in real time. */
const SKEWED = { ttlSeconds: 2, marginMs: 200 } as const;
/** A successor's clock ahead of the holder's by less than the margin, and by most of the TTL. */
const SKEW_WITHIN_MARGIN_MS = 150;
const SKEW_BEYOND_MARGIN_MS = 1_500;
/** Enough for the lease's timer to look at the clock again: it looks when its deadline is due, then every ms. */
const TIMER_LOOK_MS = 600;
/** The longest a test waits for a signal to abort. */
const ABORT_WAIT_MS = 5_000;
const LONG_TTL_SECONDS = 60;
/** Looks at a clock that a bounded acquisition never comes near; past it, the test fails instead of hanging. */
const RUNAWAY_CLOCK_LOOKS = 10_000;
/** The longest lease, a year, and a day more: what the lease's item must outlive. */
const YEAR_SECONDS = 365 * 24 * 3600;
const PAST_A_YEAR_MS = (YEAR_SECONDS + 24 * 3600) * 1000;

/** A clock of the test's own, moved by hand. */
class HandClock {
  private ms = Date.now();
  readonly now = (): number => this.ms;
  set(ms: number): void {
    this.ms = ms;
  }
}

/**
 * Leases against the clock: the signal aborts exactly at the safety margin before the expiry, nobody else
 * gets the lease before it expires, holders stay apart while clocks differ by less than the margin, and
 * the token keeps counting however long a lease sits unused. These drive the lease code over the store
 * with clocks of their own (`acquireLease(store, name, options, { now })`), so they need no fake clock in
 * the store.
 */
export function describeLeaseClockContract({ api, subject, store, freshKey }: ContractContext): void {
  api.describe('leases: expiry, the safety margin and clock skew', () => {
    const taken: KvLease[] = [];
    /** The lease code over the store under test, by the clock `now`; every lease is kept for the cleanup. */
    const acquireBy = async (now: () => number, name: string, options: KvLeaseOptions): Promise<KvLease | null> => {
      const lease = await acquireLease(store(), name, options, { table: 'contract', now });
      if (lease !== null) taken.push(lease);
      return lease;
    };
    const acquiredBy = async (now: () => number, name: string, options: KvLeaseOptions): Promise<KvLease> => {
      const lease = await acquireBy(now, name, options);
      assert.ok(lease !== null, 'expected to get the lease');
      return lease;
    };

    api.afterAll(async () => {
      await Promise.allSettled(taken.map((lease) => lease.release()));
    });

    api.it("aborts the signal at the safety margin before expiresAt by the holder's clock: not a millisecond before, and not after", async () => {
      const clock = new HandClock();
      const lease = await acquiredBy(clock.now, freshKey(), { ttlSeconds: SHORT.ttlSeconds });
      const deadline = lease.expiresAt.getTime() - SHORT.marginMs;
      clock.set(deadline - 1);
      await sleep(TIMER_LOOK_MS);
      assert.equal(lease.signal.aborted, false, 'the signal aborted before the safety margin');
      clock.set(deadline);
      await abortOf(lease.signal);
      assert.equal((lease.signal.reason as Error).cause, 'expiring');
      assert.equal(await lease.extend(), false);
    });

    api.it('gives the lease to no other owner before its expiry, not even a millisecond before, and to the next one at it', async () => {
      const clock = new HandClock();
      const name = freshKey();
      const holder = await acquiredBy(clock.now, name, { ttlSeconds: SHORT.ttlSeconds });
      clock.set(holder.expiresAt.getTime() - 1);
      assert.equal(await acquireBy(clock.now, name, { ttlSeconds: LONG_TTL_SECONDS }), null);
      clock.set(holder.expiresAt.getTime());
      const next = await acquiredBy(clock.now, name, { ttlSeconds: LONG_TTL_SECONDS });
      assert.equal(next.token, holder.token + 1);
    });

    api.it(`keeps holders apart while the successor's clock runs ahead by less than the margin (${SKEW_WITHIN_MARGIN_MS} of ${SKEWED.marginMs} ms)`, async () => {
      const name = freshKey();
      const holder = await acquiredBy(Date.now, name, { ttlSeconds: SKEWED.ttlSeconds });
      const successor = await acquiredBy(() => Date.now() + SKEW_WITHIN_MARGIN_MS, name, { ttlSeconds: LONG_TTL_SECONDS, waitMs: 5_000 });
      // Nothing runs between the successor's answer and this line: the holder stopped before it got the lease.
      assert.equal(holder.signal.aborted, true, "the successor got the lease while the holder's signal had not aborted");
      assert.equal(successor.token, holder.token + 1);
    });

    api.it(`lets holders overlap when the successor's clock runs ahead by more than the margin (${SKEW_BEYOND_MARGIN_MS} ms): the token orders them`, async () => {
      const name = freshKey();
      const holder = await acquiredBy(Date.now, name, { ttlSeconds: SKEWED.ttlSeconds });
      const successor = await acquiredBy(() => Date.now() + SKEW_BEYOND_MARGIN_MS, name, { ttlSeconds: LONG_TTL_SECONDS, waitMs: 5_000 });
      assert.equal(holder.signal.aborted, false, 'this skew takes the lease well before the holder stops: the bound is the margin');
      assert.ok(successor.token > holder.token, 'a fenced resource refuses the stale holder');
    });

    api.it('ends at its bound with an error, handing out nothing, when every lease it takes is over before the answer comes', async () => {
      let looks = 0;
      // Each look at this clock is a second later than the last: every write of a 0.5 s lease is answered too late.
      const runaway = (): number => {
        looks += 1;
        if (looks > RUNAWAY_CLOCK_LOOKS) throw new Error(`the lease code looked at the clock ${RUNAWAY_CLOCK_LOOKS} times without pausing`);
        return Date.now() + looks * 1_000;
      };
      const context = { table: 'contract', now: runaway, timeoutMs: 300 };
      const error: unknown = await acquireLease(store(), freshKey(), { ttlSeconds: SHORT.ttlSeconds }, context).then(
        (lease) => lease,
        (failure: unknown) => failure,
      );
      // KvUnavailableError when the bound finds no write on its way; on a store with real requests it may cut one off.
      assert.ok(error instanceof KvUnavailableError || error instanceof KvOutcomeUnknownError, `expected the bound's error, got ${String(error)}`);
      assert.equal(error.operation, 'acquire_lease');
    });

    if (subject.advanceTime !== undefined) {
      const advanceTime = (ms: number): Promise<void> => subject.advanceTime?.(ms) ?? Promise.resolve();

      api.it("keeps counting tokens after a year's lease ran out and sat a day more: the lease's item outlives it", async () => {
        const name = freshKey();
        const crashed = await store().acquireLease(name, { ttlSeconds: YEAR_SECONDS });
        assert.ok(crashed !== null);
        await advanceTime(PAST_A_YEAR_MS);
        const next = await store().acquireLease(name, { ttlSeconds: LONG_TTL_SECONDS });
        assert.equal(next?.token, crashed.token + 1);
        if (next !== null) taken.push(next);
      });

      api.it('keeps counting tokens after the lease sat released for more than a year', async () => {
        const name = freshKey();
        const first = await store().acquireLease(name, { ttlSeconds: LONG_TTL_SECONDS });
        assert.equal(await first?.release(), true);
        await advanceTime(PAST_A_YEAR_MS);
        const next = await store().acquireLease(name, { ttlSeconds: LONG_TTL_SECONDS });
        assert.equal(next?.token, (first?.token ?? 0) + 1);
        if (next !== null) taken.push(next);
      });
    }
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves when `signal` aborts; fails after ABORT_WAIT_MS. */
function abortOf(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new assert.AssertionError({ message: `the lease's signal did not abort within ${ABORT_WAIT_MS} ms` })), ABORT_WAIT_MS);
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
