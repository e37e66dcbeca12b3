import assert from 'node:assert/strict';
import { InvalidKeyError, InvalidOptionsError, InvalidTtlError, KvStoreError, OperationAbortedError } from '../../contract/kv-store.errors.js';
import type { KvLease, KvLeaseOptions } from '../../contract/kv-lease.interface.js';
import { rejection } from './contract-assertions.js';
import type { ContractContext } from './contract-test-api.js';
import { describeLeaseClockContract } from './lease-clock.contract.js';

/** The TTL of leases that the tests let expire, and how long is surely past it (plus the store's rounding). */
const SHORT_TTL_SECONDS = 0.5;
const PAST_SHORT_TTL_MS = 700;
/** Long enough that nothing in a test outlives it by accident. */
const LONG_TTL_SECONDS = 60;
/** Concurrent acquirers of one free lease, to show that exactly one gets it. */
const CONTENDERS = 20;
/** A year and a second: just past the longest lease. */
const OVER_A_YEAR_SECONDS = 365 * 24 * 3600 + 1;

/** Bad acquireLease options, each with the error it must get before any call. */
const BAD_OPTIONS: ReadonlyArray<[string, Partial<Record<keyof KvLeaseOptions, unknown>>, abstract new (...args: never[]) => KvStoreError]> = [
  ['ttlSeconds 0', { ttlSeconds: 0 }, InvalidTtlError],
  ['a negative ttlSeconds', { ttlSeconds: -1 }, InvalidTtlError],
  ['ttlSeconds NaN', { ttlSeconds: Number.NaN }, InvalidTtlError],
  ['an infinite ttlSeconds', { ttlSeconds: Number.POSITIVE_INFINITY }, InvalidTtlError],
  ['ttlSeconds over a year', { ttlSeconds: OVER_A_YEAR_SECONDS }, InvalidTtlError],
  ['ttlSeconds below 0.1 (over before an answer arrives)', { ttlSeconds: 0.099 }, InvalidTtlError],
  ['ttlSeconds of a nanosecond', { ttlSeconds: 1e-9 }, InvalidTtlError],
  ['ttlSeconds as a string', { ttlSeconds: '30' }, InvalidTtlError],
  ['no ttlSeconds', {}, InvalidTtlError],
  ['a negative waitMs', { ttlSeconds: 30, waitMs: -1 }, InvalidOptionsError],
  ['waitMs NaN', { ttlSeconds: 30, waitMs: Number.NaN }, InvalidOptionsError],
  ['an infinite waitMs', { ttlSeconds: 30, waitMs: Number.POSITIVE_INFINITY }, InvalidOptionsError],
  ['waitMs over a day', { ttlSeconds: 30, waitMs: 24 * 3600 * 1000 + 1 }, InvalidOptionsError],
  ['an empty owner', { ttlSeconds: 30, owner: '' }, InvalidOptionsError],
  ['an owner that is not a string', { ttlSeconds: 30, owner: 42 }, InvalidOptionsError],
  ['an owner over 512 bytes', { ttlSeconds: 30, owner: 'o'.repeat(513) }, InvalidOptionsError],
];

/**
 * Leases: one holder at a time, a fencing token that counts up each time the lease changes hands, expiry
 * that lets another owner take over, and endings that never free someone else's lease.
 */
export function describeLeaseContract(context: ContractContext): void {
  const { api, subject, store, freshKey } = context;
  api.describe('leases: acquireLease, extend, release', () => {
    const taken: KvLease[] = [];
    /** Acquires through the store under test, keeping every lease for the cleanup. */
    const acquire = async (name: string, options: KvLeaseOptions): Promise<KvLease | null> => {
      const lease = await store().acquireLease(name, options);
      if (lease !== null) taken.push(lease);
      return lease;
    };
    const acquired = async (name: string, options: KvLeaseOptions): Promise<KvLease> => {
      const lease = await acquire(name, options);
      assert.ok(lease !== null, 'expected to get the lease');
      return lease;
    };
    const elapse = (ms: number): Promise<void> => subject.advanceTime?.(ms) ?? new Promise((resolve) => setTimeout(resolve, ms));

    api.afterAll(async () => {
      await Promise.allSettled(taken.map((lease) => lease.release()));
    });

    api.it('gives a free lease to the first owner, with its name, owner, a token and an expiry ahead', async () => {
      const name = freshKey();
      const lease = await acquired(name, { ttlSeconds: LONG_TTL_SECONDS, owner: 'worker-1' });
      assert.equal(lease.name, name);
      assert.equal(lease.owner, 'worker-1');
      assert.equal(lease.token, 1);
      assert.ok(lease.expiresAt instanceof Date);
      assert.equal(lease.signal.aborted, false);
    });

    api.it('answers null to a second owner while the lease is held, by default and with waitMs 0, and to the same owner name too', async () => {
      const name = freshKey();
      await acquired(name, { ttlSeconds: LONG_TTL_SECONDS, owner: 'worker-1' });
      assert.equal(await acquire(name, { ttlSeconds: LONG_TTL_SECONDS, owner: 'worker-2' }), null);
      assert.equal(await acquire(name, { ttlSeconds: LONG_TTL_SECONDS, owner: 'worker-2', waitMs: 0 }), null);
      // An owner name is for people; every acquisition is its own holder, so leases are not re-entrant.
      assert.equal(await acquire(name, { ttlSeconds: LONG_TTL_SECONDS, owner: 'worker-1' }), null);
    });

    api.it('answers null when waitMs runs out while the lease is still held, not before', async () => {
      const name = freshKey();
      await acquired(name, { ttlSeconds: LONG_TTL_SECONDS });
      const called = performance.now();
      assert.equal(await acquire(name, { ttlSeconds: LONG_TTL_SECONDS, waitMs: 300 }), null);
      // A lower bound only: null may come any time after waitMs, never before it.
      assert.ok(performance.now() - called >= 300, `null came ${Math.round(performance.now() - called)} ms after the call, before waitMs (300) ran out`);
    });

    api.it('lets a waiting owner take the lease once it is released, with the next token', async () => {
      const name = freshKey();
      const first = await acquired(name, { ttlSeconds: LONG_TTL_SECONDS });
      let settled = false;
      const waiting = acquire(name, { ttlSeconds: LONG_TTL_SECONDS, waitMs: 10_000 }).finally(() => (settled = true));
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(settled, false, 'the waiting owner must not get the lease while it is held');
      assert.equal(await first.release(), true);
      const second = await waiting;
      assert.ok(second !== null, 'the waiting owner gets the released lease');
      assert.equal(second.token, first.token + 1);
    });

    api.it(`gives exactly one of ${CONTENDERS} concurrent owners a free lease`, async () => {
      const name = freshKey();
      const leases = await Promise.all(Array.from({ length: CONTENDERS }, (_, index) => acquire(name, { ttlSeconds: LONG_TTL_SECONDS, owner: `owner-${index}` })));
      assert.equal(leases.filter((lease) => lease !== null).length, 1);
    });

    api.it('frees the lease on release, keeping the token counting: the next owner gets token + 1', async () => {
      const name = freshKey();
      const first = await acquired(name, { ttlSeconds: LONG_TTL_SECONDS });
      assert.equal(await first.release(), true);
      assert.equal(await first.release(), true, 'a second release finds the lease freed, as the first left it');
      const second = await acquired(name, { ttlSeconds: LONG_TTL_SECONDS });
      assert.equal(second.token, first.token + 1);
      assert.equal(await second.release(), true);
      const third = await acquired(name, { ttlSeconds: LONG_TTL_SECONDS });
      assert.equal(third.token, first.token + 2);
    });

    api.it('aborts the signal on release, and extend afterwards is false', async () => {
      const lease = await acquired(freshKey(), { ttlSeconds: LONG_TTL_SECONDS });
      const release = lease.release();
      assert.equal(lease.signal.aborted, true, 'the signal aborts as soon as release is called');
      assert.equal(await release, true);
      assert.ok(lease.signal.reason instanceof Error);
      assert.equal(await lease.extend(), false);
    });

    api.it('lets another owner take over an expired lease with token + 1; the old holder can neither extend nor release it', async () => {
      const name = freshKey();
      const crashed = await acquired(name, { ttlSeconds: SHORT_TTL_SECONDS });
      await elapse(PAST_SHORT_TTL_MS);
      const successor = await acquired(name, { ttlSeconds: LONG_TTL_SECONDS });
      assert.equal(successor.token, crashed.token + 1);
      assert.equal(await crashed.extend(LONG_TTL_SECONDS), false);
      assert.equal(await crashed.release(), false);
      assert.equal(await acquire(name, { ttlSeconds: LONG_TTL_SECONDS }), null, "the old holder's release must not free its successor's lease");
      assert.equal(successor.signal.aborted, false);
    });

    api.it('extends a held lease: the expiry moves on and the lease outlives its first TTL, with the same token', async () => {
      const name = freshKey();
      const lease = await acquired(name, { ttlSeconds: SHORT_TTL_SECONDS });
      const before = lease.expiresAt.getTime();
      assert.equal(await lease.extend(LONG_TTL_SECONDS), true);
      assert.ok(lease.expiresAt.getTime() > before, 'the expiry moved on');
      await elapse(PAST_SHORT_TTL_MS);
      assert.equal(lease.signal.aborted, false);
      assert.equal(await acquire(name, { ttlSeconds: LONG_TTL_SECONDS }), null, 'the extended lease is still held');
      assert.equal(await lease.extend(), true, 'extend without ttlSeconds uses the last TTL');
      assert.equal(await lease.release(), true);
      const next = await acquired(name, { ttlSeconds: LONG_TTL_SECONDS });
      assert.equal(next.token, lease.token + 1, 'an extension keeps the token; the next owner gets the next one');
    });

    api.it('keeps leases apart from plain keys of the same name', async () => {
      const name = freshKey();
      await store().set(name, 'a plain value');
      await acquired(name, { ttlSeconds: LONG_TTL_SECONDS });
      assert.equal(await store().get(name), 'a plain value');
    });

    for (const [what, options, type] of BAD_OPTIONS) {
      api.it(`refuses ${what} with ${type.name} (operation acquire_lease) before any call`, async () => {
        const name = freshKey();
        await rejection(store().acquireLease(name, options as KvLeaseOptions), type, { operation: 'acquire_lease' });
        assert.equal((await acquired(name, { ttlSeconds: LONG_TTL_SECONDS })).token, 1, 'nothing was written');
      });
    }

    api.it('refuses bad lease names with InvalidKeyError before any call', async () => {
      const options = { ttlSeconds: LONG_TTL_SECONDS };
      for (const name of ['', 42, '\ud800', 'n'.repeat(2048)]) {
        await rejection(store().acquireLease(name as string, options), InvalidKeyError, { operation: 'acquire_lease' });
      }
      await rejection(store().acquireLease(undefined as unknown as string, undefined as unknown as KvLeaseOptions), InvalidKeyError);
    });

    api.it('refuses a bad extend TTL with InvalidTtlError (operation extend_lease), keeping the lease', async () => {
      const lease = await acquired(freshKey(), { ttlSeconds: LONG_TTL_SECONDS });
      for (const ttlSeconds of [0, -1, Number.NaN, OVER_A_YEAR_SECONDS]) {
        await rejection(lease.extend(ttlSeconds), InvalidTtlError, { operation: 'extend_lease' });
      }
      assert.equal(lease.signal.aborted, false);
      assert.equal(await lease.extend(), true);
    });

    api.it('rejects with OperationAbortedError when the signal aborts, already or while waiting', async () => {
      const name = freshKey();
      const reason = new Error('caller gave up');
      await rejection(store().acquireLease(name, { ttlSeconds: LONG_TTL_SECONDS, signal: AbortSignal.abort(reason) }), OperationAbortedError, { cause: reason });
      await acquired(name, { ttlSeconds: LONG_TTL_SECONDS });
      const controller = new AbortController();
      const waiting = store().acquireLease(name, { ttlSeconds: LONG_TTL_SECONDS, waitMs: 60_000, signal: controller.signal });
      setTimeout(() => controller.abort(reason), 100);
      await rejection(waiting, OperationAbortedError, { operation: 'acquire_lease', cause: reason });
    });
  });

  describeLeaseClockContract(context);
}
