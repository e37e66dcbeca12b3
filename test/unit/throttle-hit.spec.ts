import fc from 'fast-check';
import { answerIfUnchanged, applyHit, pruneRecord, type ThrottleHit } from '../../lib/throttler/throttle-hit.js';
import type { ThrottleRecord } from '../../lib/throttler/throttle-record.js';

const NOW = Date.UTC(2026, 0, 1);

const hitArbitrary = fc.record({
  ttl: fc.constantFrom(1_000, 2_500, 5_000),
  limit: fc.integer({ min: 0, max: 4 }),
  blockDuration: fc.constantFrom(-1, 0, 700, 1_000, 5_000),
  throttlerName: fc.constantFrom('default', 'long'),
});

const recordArbitrary = fc.record({
  expiresAt: fc.integer({ min: NOW - 3_000, max: NOW + 5_000 }),
  blockExpiresAt: fc.oneof(fc.constant(0), fc.integer({ min: NOW - 3_000, max: NOW + 5_000 })),
  isBlocked: fc.boolean(),
  hits: fc.record({
    default: fc.array(fc.integer({ min: NOW - 3_000, max: NOW + 5_000 }), { maxLength: 6 }),
    long: fc.array(fc.integer({ min: NOW - 3_000, max: NOW + 5_000 }), { maxLength: 6 }),
  }),
});

function toRecord(input: { expiresAt: number; blockExpiresAt: number; isBlocked: boolean; hits: Record<string, number[]> }): ThrottleRecord {
  return { ...input, hits: new Map(Object.entries(input.hits).map(([name, times]) => [name, [...times].sort((a, b) => a - b)])) };
}

/**
 * The hit lists of a record, each handed out (by `get`) behind a proxy that counts the reads of its
 * elements by index: what a pass over a list costs. `set` keeps the list itself.
 */
class CountingLists extends Map<string, number[]> {
  reads = 0;
  private readonly lists = new WeakMap<number[], number[]>();

  override get(name: string): number[] | undefined {
    const list = super.get(name);
    if (list === undefined) return undefined;
    const counted = new Proxy(list, {
      get: (target, property, receiver) => {
        if (typeof property === 'string' && /^\d+$/.test(property)) this.reads += 1;
        return Reflect.get(target, property, receiver) as unknown;
      },
    });
    this.lists.set(counted, list);
    return counted;
  }

  override set(name: string, list: number[]): this {
    return super.set(name, this.lists?.get(list) ?? list);
  }
}

describe('a throttler hit applied to a record', () => {
  it('is answered without the record only when applying it changes nothing, and then with the same answer', () => {
    fc.assert(
      fc.property(recordArbitrary, hitArbitrary, fc.integer({ min: 0, max: 2_000 }), (input, hit, offset) => {
        const now = NOW + offset;
        const record = toRecord(input);
        const untouched = JSON.stringify([...record.hits]);
        const known = answerIfUnchanged(record, hit, now);
        // It leaves the record as it is.
        expect(JSON.stringify([...record.hits])).toBe(untouched);
        const applied = toRecord(input);
        pruneRecord(applied, now);
        const { answer, changed } = applyHit(applied, hit, now);
        expect(known === undefined).toBe(changed);
        if (known !== undefined) expect(known).toEqual(answer);
      }),
      { numRuns: 2_000 },
    );
  });

  it('costs a round a few steps a hit, not a pass over every hit counted (4,700 of them, 257 hits at once)', () => {
    const lists = new CountingLists();
    lists.set('default', Array.from({ length: 4_700 }, (_, index) => NOW + 1 + index * 10));
    const record: ThrottleRecord = { expiresAt: NOW + 60_000, blockExpiresAt: 0, isBlocked: false, hits: lists };
    const hit: ThrottleHit = { ttl: 60_000, limit: 5_000, blockDuration: 60_000, throttlerName: 'default' };
    // A round: one prune, then its hits at the same instant.
    pruneRecord(record, NOW);
    for (let index = 0; index < 257; index += 1) applyHit(record, hit, NOW);
    expect(lists.get('default')).toHaveLength(4_957);
    // The prune reads a few (binary search); each hit reads the last time, to keep the list in order.
    expect(lists.reads).toBeLessThan(100 + 5 * 257);
  });
});
