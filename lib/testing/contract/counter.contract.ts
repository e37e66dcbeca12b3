import assert from 'node:assert/strict';
import { InvalidKeyError, InvalidTtlError, InvalidValueError, KeyNotFoundError, NotACounterError } from '../../contract/kv-store.errors.js';
import { rejection } from './contract-assertions.js';
import type { ContractContext } from './contract-test-api.js';

/** Concurrent increments of one key, to show that none is lost and none counted twice. */
const INCREMENTERS = 50;

/** A 1-second TTL has passed for sure after this (expiries are whole seconds, rounded up). */
const PAST_A_ONE_SECOND_TTL_MS = 2_100;

/** increment and touch: atomic counters, and expiry changes that leave the value alone. */
export function describeCounterContract({ api, subject, store, freshKey, freshKeys }: ContractContext): void {
  api.describe('counters: increment', () => {
    api.it('starts a missing counter at the delta, adds to it, and reads as its decimal string', async () => {
      const key = freshKey();
      assert.equal(await store().increment(key), 1);
      assert.equal(await store().increment(key, 5), 6);
      assert.equal(await store().increment(key, -10), -4);
      assert.equal(await store().get(key), '-4');
      assert.deepEqual(await store().getMany([key]), new Map([[key, '-4']]));
    });

    api.it(`counts each of ${INCREMENTERS} concurrent increments exactly once`, async () => {
      const key = freshKey();
      const counts = await Promise.all(Array.from({ length: INCREMENTERS }, () => store().increment(key)));
      assert.deepEqual(
        counts.sort((a, b) => a - b),
        Array.from({ length: INCREMENTERS }, (_, index) => index + 1),
      );
      assert.equal(await store().get(key), String(INCREMENTERS));
    });

    api.it('refuses a key that holds a string value with NotACounterError, and leaves it', async () => {
      const key = freshKey();
      await store().set(key, '5');
      await rejection(store().increment(key), NotACounterError, { code: 'NOT_A_COUNTER' });
      assert.equal(await store().get(key), '5');
    });

    api.it('lets set, delete and compareAndSwap replace a counter, and setIfAbsent see it', async () => {
      const [replaced, deleted, swapped] = freshKeys(3);
      await store().increment(replaced!, 3);
      await store().set(replaced!, 'text');
      assert.equal(await store().get(replaced!), 'text');
      await store().increment(deleted!, 3);
      await store().delete(deleted!);
      await rejection(store().get(deleted!), KeyNotFoundError);
      assert.equal(await store().increment(deleted!), 1);
      await store().increment(swapped!, 7);
      assert.equal(await store().setIfAbsent(swapped!, 'other'), false);
      assert.equal(await store().compareAndSwap(swapped!, '07', 'next'), false);
      assert.equal(await store().compareAndSwap(swapped!, '7', 'next'), true);
      assert.equal(await store().get(swapped!), 'next');
    });

    api.it('refuses a delta that is not a safe integer with InvalidValueError, before any change', async () => {
      const key = freshKey();
      await store().increment(key, 2);
      for (const delta of [1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, '1', null]) {
        await rejection(store().increment(key, delta as number), InvalidValueError, { code: 'INVALID_VALUE' });
      }
      assert.equal(await store().get(key), '2');
    });

    api.it('refuses an increment that would carry the count beyond the safe integers, and keeps the count', async () => {
      const key = freshKey();
      await store().increment(key, Number.MAX_SAFE_INTEGER - 1);
      assert.equal(await store().increment(key), Number.MAX_SAFE_INTEGER);
      await rejection(store().increment(key), InvalidValueError);
      assert.equal(await store().get(key), String(Number.MAX_SAFE_INTEGER));
    });

    api.it('refuses a bad key and a bad TTL before any change', async () => {
      await rejection(store().increment(''), InvalidKeyError);
      const key = freshKey();
      await rejection(store().increment(key, 1, { ttlSeconds: 0 }), InvalidTtlError);
      await rejection(store().get(key), KeyNotFoundError);
    });
  });

  api.describe('counters and touch: expiry', () => {
    const [expiring, extended, touched, kept, lapsed] = freshKeys(5);

    api.beforeAll(async () => {
      await store().increment(expiring!, 40, { ttlSeconds: 1 });
      await store().increment(extended!, 1, { ttlSeconds: 1 });
      await store().increment(extended!, 1, { ttlSeconds: 3600 });
      await store().set(touched!, 'touched', { ttlSeconds: 1 });
      assert.equal(await store().touch(touched!, { ttlSeconds: 3600 }), true);
      await store().set(kept!, 'kept', { ttlSeconds: 1 });
      assert.equal(await store().touch(kept!), true);
      await store().set(lapsed!, 'lapsed', { ttlSeconds: 1 });
      await (subject.advanceTime?.(PAST_A_ONE_SECOND_TTL_MS) ?? new Promise((resolve) => setTimeout(resolve, PAST_A_ONE_SECOND_TTL_MS)));
    });

    api.it('restarts an expired counter from the delta, not from its old count', async () => {
      await rejection(store().get(expiring!), KeyNotFoundError, { expired: true });
      assert.equal(await store().increment(expiring!, 2), 2);
    });

    api.it('keeps a live counter\'s expiry when an increment gives another TTL', async () => {
      await rejection(store().get(extended!), KeyNotFoundError, { expired: true });
    });

    api.it('touch gives a live value a new expiry and leaves the value as it was', async () => {
      assert.equal(await store().get(touched!), 'touched');
    });

    api.it('touch without a TTL (and no default) takes the expiry away', async () => {
      assert.equal(await store().get(kept!), 'kept');
    });

    api.it('touch of an expired or missing key is false and writes nothing', async () => {
      assert.equal(await store().touch(lapsed!, { ttlSeconds: 60 }), false);
      await rejection(store().get(lapsed!), KeyNotFoundError, { expired: true });
      const missing = freshKey();
      assert.equal(await store().touch(missing, { ttlSeconds: 60 }), false);
      await rejection(store().get(missing), KeyNotFoundError);
    });

    api.it('touch refuses a bad key and a bad TTL before any change', async () => {
      await rejection(store().touch(''), InvalidKeyError);
      await rejection(store().touch(touched!, { ttlSeconds: -1 }), InvalidTtlError);
      assert.equal(await store().get(touched!), 'touched');
    });
  });
}
