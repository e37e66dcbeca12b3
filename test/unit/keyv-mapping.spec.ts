import { MAX_TTL_SECONDS } from '../../lib/index.js';
import { keyvEntryExpired } from '../../lib/keyv/keyv-entry.js';
import { ttlSecondsOf } from '../../lib/keyv/keyv-ttl.js';

describe("the Keyv adapter's mapping of Keyv's TTLs and entries", () => {
  it.each([
    [undefined, undefined],
    [Number.POSITIVE_INFINITY, undefined],
    [1, 1],
    [999, 1],
    [1_000, 1],
    [1_001, 2],
    [0, 1],
    [-5, 1],
    [(MAX_TTL_SECONDS + 1) * 1_000, MAX_TTL_SECONDS],
  ])('turns %p ms into %p seconds', (ttlMs, seconds) => {
    expect(ttlSecondsOf(ttlMs)).toBe(seconds);
  });

  it("reads Keyv's own expiry from its envelope, and none from anything else", () => {
    const now = 1_000_000;
    expect(keyvEntryExpired(JSON.stringify({ value: 'v', expires: now - 1 }), now)).toBe(true);
    expect(keyvEntryExpired(JSON.stringify({ value: 'v', expires: now }), now)).toBe(false);
    expect(keyvEntryExpired(JSON.stringify({ value: 'v', expires: null }), now)).toBe(false);
    expect(keyvEntryExpired(JSON.stringify({ value: 'v' }), now)).toBe(false);
    for (const other of ['not json', '"a string"', '42', 'null', '[1]']) expect(keyvEntryExpired(other, now)).toBe(false);
  });
});
