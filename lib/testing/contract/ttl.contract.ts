import assert from 'node:assert/strict';
import { InvalidTtlError, KeyNotFoundError } from '../../contract/kv-store.errors.js';
import { rejection } from './contract-assertions.js';
import type { ContractContext } from './contract-test-api.js';
import { allKeys } from './listing.contract.js';

/** A 1-second TTL has passed for sure after this (expiries are whole seconds, rounded up). */
const PAST_A_ONE_SECOND_TTL_MS = 2_100;

/** TTLs that must be refused before anything is written, with why. */
export const BAD_TTLS: ReadonlyArray<[string, unknown]> = [
  ['zero', 0],
  ['negative', -5],
  ['not whole', 1.5],
  ['not finite', Number.POSITIVE_INFINITY],
  ['NaN', Number.NaN],
  ['over ten years', 11 * 365 * 24 * 3600],
  ['an epoch timestamp in seconds', 1_767_225_600],
  ['an epoch timestamp in milliseconds', 1_767_225_600_000],
  ['a string', '60'],
];

/** Values expire after their TTL for every read, whenever DynamoDB gets round to deleting them. */
export function describeTtlContract({ api, subject, store, freshKey, freshKeys }: ContractContext): void {
  api.describe('ttl: an expired value is missing to every read', () => {
    const [expiring, rewritten, claimable, swapped, longLived] = freshKeys(5);
    const many = freshKeys(3);
    const listed = `${freshKey()}/`;

    api.beforeAll(async () => {
      await store().set(expiring!, 'short-lived', { ttlSeconds: 1 });
      await store().set(rewritten!, 'short-lived', { ttlSeconds: 1 });
      await store().set(rewritten!, 'no expiry now');
      await store().set(claimable!, 'stale', { ttlSeconds: 1 });
      await store().set(swapped!, 'stale', { ttlSeconds: 1 });
      await store().set(longLived!, 'an hour', { ttlSeconds: 3600 });
      await store().setMany([[many[0]!, 'a'], [many[1]!, 'b']], { ttlSeconds: 1 });
      await store().set(many[2]!, 'c');
      await store().setMany([[`${listed}expiring`, 'a']], { ttlSeconds: 1 });
      await store().set(`${listed}kept`, 'b');
      await (subject.advanceTime?.(PAST_A_ONE_SECOND_TTL_MS) ?? new Promise((resolve) => setTimeout(resolve, PAST_A_ONE_SECOND_TTL_MS)));
    });

    api.it('rejects get and getJson of an expired value with KeyNotFoundError, marked expired', async () => {
      await rejection(store().get(expiring!), KeyNotFoundError, { key: expiring, expired: true });
      await rejection(store().getJson(expiring!), KeyNotFoundError, { expired: true });
    });

    api.it('leaves expired keys out of getMany', async () => {
      assert.deepEqual(await store().getMany(many), new Map([[many[2]!, 'c']]));
    });

    api.it('leaves expired keys out of listKeys', async () => {
      assert.deepEqual(await allKeys(store().listKeys({ prefix: listed, consistentRead: true })), [`${listed}kept`]);
    });

    api.it('lets setIfAbsent write over an expired value', async () => {
      assert.equal(await store().setIfAbsent(claimable!, 'fresh'), true);
      assert.equal(await store().get(claimable!), 'fresh');
    });

    api.it('does not let compareAndSwap match an expired value', async () => {
      assert.equal(await store().compareAndSwap(swapped!, 'stale', 'next'), false);
      await rejection(store().get(swapped!), KeyNotFoundError);
    });

    api.it('keeps a value written again without ttlSeconds: the write replaced the expiry', async () => {
      assert.equal(await store().get(rewritten!), 'no expiry now');
    });

    api.it('keeps a value whose TTL has time left', async () => {
      assert.equal(await store().get(longLived!), 'an hour');
    });
  });

  api.describe('ttl: bad TTLs are refused before anything is written', () => {
    for (const [name, ttlSeconds] of BAD_TTLS) {
      api.it(`refuses a TTL that is ${name} with InvalidTtlError in every write`, async () => {
        const key = freshKey();
        await store().set(key, 'kept');
        const options = { ttlSeconds: ttlSeconds as number };
        await rejection(store().set(key, 'v', options), InvalidTtlError, { code: 'INVALID_TTL' });
        await rejection(store().setJson(key, 'v', options), InvalidTtlError);
        await rejection(store().setMany([[key, 'v']], options), InvalidTtlError);
        await rejection(store().setIfAbsent(freshKey(), 'v', options), InvalidTtlError);
        await rejection(store().compareAndSwap(key, 'kept', 'v', options), InvalidTtlError);
        assert.equal(await store().get(key), 'kept');
      });
    }
  });
}
