import fc from 'fast-check';
import { MAX_THROTTLE_LIMIT, MAX_THROTTLE_RECORD_BYTES, MAX_THROTTLER_NAME_LENGTH } from '../../lib/throttler/index.js';
import { MAX_TTL_SECONDS } from '../../lib/input/ttl.validation.js';
import { decodeRecord, encodeRecord, type ThrottleRecord } from '../../lib/throttler/throttle-record.js';
import { InvalidThrottleRecordError, ThrottleRecordTooLargeError } from '../../lib/throttler/throttler-storage.errors.js';

const NOW = Date.UTC(2026, 0, 1);

/** A record whose throttlers each hold `count` hits spread evenly over `spanMs` (gaps as large as they can all be). */
function spreadRecord(names: readonly string[], count: number, spanMs: number): ThrottleRecord {
  const times = Array.from({ length: count }, (_, index) => NOW + Math.floor((spanMs * (index + 1)) / count));
  return { expiresAt: NOW + spanMs, blockExpiresAt: NOW + spanMs, isBlocked: true, hits: new Map(names.map((name) => [name, [...times]])) };
}

describe('the stored throttler record', () => {
  it('reads back what it wrote', () => {
    const record = fc.record({
      expiresAt: fc.integer({ min: 0, max: 2 ** 45 }),
      blockExpiresAt: fc.integer({ min: 0, max: 2 ** 45 }),
      isBlocked: fc.boolean(),
      hits: fc
        .dictionary(fc.string({ maxLength: 8 }), fc.array(fc.integer({ min: 0, max: 2 ** 45 }), { minLength: 1, maxLength: 30 }))
        .map((lists) => new Map(Object.entries(lists).map(([name, times]) => [name, times.sort((a, b) => a - b)]))),
    });
    fc.assert(fc.property(record, (written) => expect(decodeRecord(encodeRecord(written))).toEqual(written)));
  });

  it.each([
    ['not JSON', 'nope'],
    ['another version', '{"v":1,"e":1,"b":0,"k":0,"h":[]}'],
    ['a gap out of base 36', '{"v":2,"e":1,"b":0,"k":0,"h":[["default","1,Z"]]}'],
    ['an empty gap', '{"v":2,"e":1,"b":0,"k":0,"h":[["default","1,,2"]]}'],
    ['a time past the safe integers', '{"v":2,"e":1,"b":0,"k":0,"h":[["default","zzzzzzzzzzz"]]}'],
    ['hits as numbers', '{"v":2,"e":1,"b":0,"k":0,"h":[["default",[1,2]]]}'],
  ])('refuses %s with InvalidThrottleRecordError', (_, value) => {
    expect(() => decodeRecord(value)).toThrow(InvalidThrottleRecordError);
  });

  it('stays within its bound for one throttler at the highest limit, the longest window and the longest name, with room to spare', () => {
    // Blocking keeps limit + 1 hits; evenly spread over ten years, each gap is as long as they can all be.
    const record = spreadRecord(['\uD800'.repeat(MAX_THROTTLER_NAME_LENGTH)], MAX_THROTTLE_LIMIT + 1, MAX_TTL_SECONDS * 1000);
    const bytes = Buffer.byteLength(encodeRecord(record));
    expect(bytes).toBeLessThan(MAX_THROTTLE_RECORD_BYTES * 0.7);
    // And the bound is far below DynamoDB's item limit (400 KB), with the old value sent along by a compare-and-swap.
    expect(2 * MAX_THROTTLE_RECORD_BYTES).toBeLessThan(400 * 1024 * 0.4);
  });

  it('keeps a limit of 250 a minute within one write capacity unit (1 KB), with the key and the store attributes', () => {
    // The item also holds its key (the prefix and a 43-character hash), its expiry and the store's write token: about 110 bytes.
    expect(Buffer.byteLength(encodeRecord(spreadRecord(['default'], 251, 60_000)))).toBeLessThanOrEqual(1024 - 128);
  });

  it('refuses a record over its bound (several large throttlers sharing one key) with ThrottleRecordTooLargeError', () => {
    const record = spreadRecord(['short', 'long'], MAX_THROTTLE_LIMIT + 1, MAX_TTL_SECONDS * 1000);
    expect(() => encodeRecord(record)).toThrow(ThrottleRecordTooLargeError);
  });
});
