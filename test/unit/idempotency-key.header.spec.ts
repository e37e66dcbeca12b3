import { MAX_IDEMPOTENCY_KEY_LENGTH, readIdempotencyKey } from '../../lib/idempotency/idempotency-key.header.js';

describe('readIdempotencyKey (the Idempotency-Key header)', () => {
  it.each<[string, string]>([
    ['"8e03978e-40d5-43e8-bc93-6894a57f9324"', '8e03978e-40d5-43e8-bc93-6894a57f9324'],
    ['8e03978e-40d5-43e8-bc93-6894a57f9324', '8e03978e-40d5-43e8-bc93-6894a57f9324'],
    ['"with space, comma; and \\"escapes\\" \\\\"', 'with space, comma; and "escapes" \\'],
    ['"a"', 'a'],
    ['key_01.~+/=:@', 'key_01.~+/=:@'],
  ])('reads %s as its key (the draft\'s quoted String, or the unquoted form clients also send)', (header, key) => {
    expect(readIdempotencyKey(header)).toEqual({ kind: 'key', key });
  });

  it('says "missing" when there is no header', () => {
    expect(readIdempotencyKey(undefined)).toEqual({ kind: 'missing' });
  });

  it.each<[string, unknown]>([
    ['empty', ''],
    ['empty quotes', '""'],
    ['two headers joined by Node.js', 'a, b'],
    ['two quoted headers joined', '"a", "b"'],
    ['a comma', 'a,b'],
    ['a space', 'a b'],
    ['a lone quote', '"abc'],
    ['a bad escape', '"a\\nb"'],
    ['a control character', '"a\tb"'],
    ['a character past ASCII', '"caf\u00e9"'],
    ['an array', ['a', 'b']],
    ['too long', 'k'.repeat(MAX_IDEMPOTENCY_KEY_LENGTH + 1)],
    ['too long when quoted', `"${'k'.repeat(MAX_IDEMPOTENCY_KEY_LENGTH + 1)}"`],
  ])('refuses %s, with a reason that does not repeat the value', (_case, header) => {
    const reading = readIdempotencyKey(header);
    expect(reading).toEqual({ kind: 'invalid', reason: expect.any(String) });
    if (typeof header === 'string' && header.length > 2) expect((reading as { reason: string }).reason).not.toContain(header);
  });

  it(`accepts ${MAX_IDEMPOTENCY_KEY_LENGTH} characters, quoted or not`, () => {
    const key = 'k'.repeat(MAX_IDEMPOTENCY_KEY_LENGTH);
    expect(readIdempotencyKey(key)).toEqual({ kind: 'key', key });
    expect(readIdempotencyKey(`"${key}"`)).toEqual({ kind: 'key', key });
  });
});
