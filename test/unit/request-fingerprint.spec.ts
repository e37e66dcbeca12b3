import { requestFingerprint } from '../../lib/idempotency/request-fingerprint.js';

const base = { method: 'POST', url: '/orders?x=1', contentType: 'application/json', body: { item: 'tea', extras: [1, { b: true, a: null }] } };

describe('requestFingerprint', () => {
  it('is the same for the same request, whatever the order of the body\'s members', () => {
    const reordered = { ...base, body: { extras: [1, { a: null, b: true }], item: 'tea' } };
    expect(requestFingerprint(reordered)).toBe(requestFingerprint(base));
    expect(requestFingerprint({ ...base, method: 'post' })).toBe(requestFingerprint(base));
  });

  it.each<[string, { method?: string; url?: string; contentType?: string; body?: unknown }]>([
    ['method', { method: 'PUT' }],
    ['path', { url: '/order?x=1' }],
    ['query', { url: '/orders?x=2' }],
    ['body value', { body: { item: 'coffee', extras: [1, { b: true, a: null }] } }],
    ['array order', { body: { item: 'tea', extras: [{ b: true, a: null }, 1] } }],
    ['member moved into an array', { body: { item: 'tea', extras: [1, { b: true }, { a: null }] } }],
    ['no body', { body: undefined }],
    ['raw bytes', { body: Buffer.from('{"item":"tea"}') }],
    // A form body parses to the same object as the JSON one, and is still another request.
    ['content type', { contentType: 'application/x-www-form-urlencoded' }],
    ['content type\'s charset', { contentType: 'application/json;charset=latin1' }],
    ['missing content type', { contentType: undefined }],
  ])('changes with the %s', (_part, change) => {
    expect(requestFingerprint({ ...base, ...change })).not.toBe(requestFingerprint(base));
  });

  it('tells a string body from the same text as JSON, and raw bytes from other bytes', () => {
    expect(requestFingerprint({ ...base, body: '1' })).not.toBe(requestFingerprint({ ...base, body: 1 }));
    expect(requestFingerprint({ ...base, body: Buffer.from('a') })).not.toBe(requestFingerprint({ ...base, body: Buffer.from('b') }));
  });

  it('takes a body nested far deeper than the stack allows recursion', () => {
    let deep: unknown = 'leaf';
    for (let depth = 0; depth < 200_000; depth += 1) deep = depth % 2 === 0 ? [deep] : { next: deep };
    expect(requestFingerprint({ ...base, body: deep })).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});
