import type { StoredResponse } from '../../lib/idempotency/idempotency-record.js';
import { IdempotencyRecords, type Hold } from '../../lib/idempotency/idempotency-records.js';
import { KvIdempotencyException } from '../../lib/idempotency/kv-idempotency.exception.js';
import type { KVStore, KvReadOptions, KvWriteOptions } from '../../lib/index.js';
import { InMemoryKvStore } from '../../lib/testing/index.js';

/** The records over InMemoryKvStore, as a user's tests would run them, with a clock the test moves. */
describe('IdempotencyRecords over InMemoryKvStore', () => {
  let nowMs = Date.UTC(2030, 0, 1);
  const store = new InMemoryKvStore({ now: () => nowMs });
  const records = new IdempotencyRecords(store);
  const response: StoredResponse = { kind: 'result', status: 201, headers: { location: '/orders/1' }, body: { json: '{"id":1}', object: true } };
  const second: StoredResponse = { ...response, body: { json: '{"id":2}', object: true } };

  async function refusal(claim: Promise<unknown>): Promise<{ status: number; code: string }> {
    const error = await claim.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(KvIdempotencyException);
    const exception = error as KvIdempotencyException;
    return { status: exception.getStatus(), code: exception.code };
  }

  async function held(key: string, fingerprint = 'fp', ttlSeconds = 60): Promise<Hold> {
    const claim = await records.claim(key, fingerprint, ttlSeconds);
    if (claim.kind !== 'held') throw new Error(`expected to hold ${key}, got ${claim.kind}`);
    return claim.hold;
  }

  it('holds, refuses while held, replays once completed, and tells another request by its fingerprint', async () => {
    const hold = await held('idem:a');
    await expect(refusal(records.claim('idem:a', 'fp', 60))).resolves.toEqual({ status: 409, code: 'IDEMPOTENCY_KEY_IN_USE' });
    await expect(refusal(records.claim('idem:a', 'other', 60))).resolves.toEqual({ status: 422, code: 'IDEMPOTENCY_KEY_REUSED' });
    await expect(records.complete(hold, response, 3600)).resolves.toEqual({ kind: 'done' });
    await expect(records.claim('idem:a', 'fp', 60)).resolves.toEqual({ kind: 'replay', response });
    await expect(refusal(records.claim('idem:a', 'other', 60))).resolves.toEqual({ status: 422, code: 'IDEMPOTENCY_KEY_REUSED' });
    // Kept keepSeconds, then gone: the key is new again.
    nowMs += 3600_000;
    await expect(records.claim('idem:a', 'other', 60)).resolves.toMatchObject({ kind: 'held' });
  });

  it('keeps and replays an error answer like a response', async () => {
    const hold = await held('idem:err');
    const failed: StoredResponse = { kind: 'exception', status: 503, response: { statusCode: 503, message: 'down' } };
    await expect(records.complete(hold, failed, 3600)).resolves.toEqual({ kind: 'done' });
    await expect(records.claim('idem:err', 'fp', 60)).resolves.toEqual({ kind: 'replay', response: failed });
  });

  it('answers 409 IDEMPOTENCY_RESPONSE_UNAVAILABLE, not "in progress", for a request that ran and has nothing to replay', async () => {
    const hold = await held('idem:u');
    await expect(records.completeUnavailable(hold, 'failed', 3600)).resolves.toEqual({ kind: 'done' });
    await expect(refusal(records.claim('idem:u', 'fp', 60))).resolves.toEqual({ status: 409, code: 'IDEMPOTENCY_RESPONSE_UNAVAILABLE' });
    await expect(refusal(records.claim('idem:u', 'other', 60))).resolves.toEqual({ status: 422, code: 'IDEMPOTENCY_KEY_REUSED' });
  });

  it('frees a released key at once, for any request', async () => {
    const hold = await held('idem:b');
    await expect(records.release(hold)).resolves.toEqual({ kind: 'done' });
    await expect(records.claim('idem:b', 'other', 60)).resolves.toMatchObject({ kind: 'held' });
  });

  it('renews a hold past its first TTL, so that a duplicate still waits and the response is stored', async () => {
    const hold = await held('idem:slow', 'fp', 3);
    for (let step = 0; step < 5; step += 1) {
      nowMs += 2_000;
      await expect(records.extend(hold, 3)).resolves.toEqual({ kind: 'done' });
    }
    // 10 s after the claim, three times its TTL: still held.
    await expect(refusal(records.claim('idem:slow', 'fp', 3))).resolves.toEqual({ status: 409, code: 'IDEMPOTENCY_KEY_IN_USE' });
    await expect(records.complete(hold, response, 3600)).resolves.toEqual({ kind: 'done' });
    await expect(records.claim('idem:slow', 'fp', 3)).resolves.toEqual({ kind: 'replay', response });
  });

  it('stores a late response when its hold expired and nobody took the key since', async () => {
    const hold = await held('idem:late');
    nowMs += 61_000;
    await expect(records.extend(hold, 60)).resolves.toEqual({ kind: 'lost' });
    await expect(records.complete(hold, response, 3600)).resolves.toEqual({ kind: 'done' });
    await expect(records.claim('idem:late', 'fp', 60)).resolves.toEqual({ kind: 'replay', response });
  });

  it('never extends, completes or releases a key another request took after its hold expired', async () => {
    const first = await held('idem:c');
    nowMs += 61_000;
    const next = await held('idem:c');
    await expect(records.extend(first, 60)).resolves.toEqual({ kind: 'lost' });
    await expect(records.complete(first, response, 3600)).resolves.toEqual({ kind: 'taken' });
    await expect(records.completeUnavailable(first, 'failed', 3600)).resolves.toEqual({ kind: 'taken' });
    await expect(records.release(first)).resolves.toEqual({ kind: 'lost' });
    // The second request still holds the key: a duplicate waits, and the second's response is the one kept.
    await expect(refusal(records.claim('idem:c', 'fp', 60))).resolves.toEqual({ status: 409, code: 'IDEMPOTENCY_KEY_IN_USE' });
    await expect(records.complete(next, second, 3600)).resolves.toEqual({ kind: 'done' });
    await expect(records.claim('idem:c', 'fp', 60)).resolves.toEqual({ kind: 'replay', response: second });
  });

  it('answers 503 for a value under the key that is not a record', async () => {
    await store.set('idem:d', "someone else's value");
    await expect(refusal(records.claim('idem:d', 'fp', 60))).resolves.toEqual({ status: 503, code: 'IDEMPOTENCY_RECORD_UNREADABLE' });
  });

  it('refuses a response over the item limit without writing anything, and stores "unavailable" in its place', async () => {
    const hold = await held('idem:big');
    const huge: StoredResponse = { kind: 'result', status: 200, headers: {}, body: { json: JSON.stringify('x'.repeat(500_000)), object: false } };
    await expect(records.complete(hold, huge, 3600)).resolves.toMatchObject({ kind: 'refused', error: { code: 'ITEM_TOO_LARGE' } });
    await expect(records.completeUnavailable(hold, 'not_stored', 3600)).resolves.toEqual({ kind: 'done' });
    await expect(refusal(records.claim('idem:big', 'fp', 60))).resolves.toEqual({ status: 409, code: 'IDEMPOTENCY_RESPONSE_UNAVAILABLE' });
  });
});

/**
 * A key fought over: before each of this request's writes another request takes the key, and before each
 * of its reads that request's record goes away (real writes to the store, in a fixed order).
 */
class ContestedStore {
  constructor(private readonly inner: InMemoryKvStore) {}

  asStore(): KVStore {
    return new Proxy(this.inner, {
      get: (target, name, receiver) => {
        if (name === 'setIfAbsent') {
          return async (key: string, value: string, options?: KvWriteOptions) => {
            await target.set(key, '{"v":2,"state":"in_progress","fingerprint":"fp","owner":"another"}');
            return target.setIfAbsent(key, value, options);
          };
        }
        if (name === 'get') {
          return async (key: string, options?: KvReadOptions) => {
            await target.delete(key);
            return target.get(key, options);
          };
        }
        return Reflect.get(target, name, receiver) as unknown;
      },
    });
  }
}

describe('IdempotencyRecords on a key that keeps changing hands', () => {
  it('answers 503 IDEMPOTENCY_KEY_CONTENDED with Retry-After, not "in progress", when its rounds run out', async () => {
    const records = new IdempotencyRecords(new ContestedStore(new InMemoryKvStore()).asStore());
    const error = await records.claim('idem:x', 'fp', 60).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(KvIdempotencyException);
    expect(error).toMatchObject({ code: 'IDEMPOTENCY_KEY_CONTENDED', retryAfterSeconds: 1 });
    expect((error as KvIdempotencyException).getStatus()).toBe(503);
  });
});
