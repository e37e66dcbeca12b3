import type { AbstractHttpAdapter } from '@nestjs/core';
import { fingerprintedRequest, type HttpRequest } from '../../lib/idempotency/fingerprinted-request.js';
import { idempotencyStoreKey } from '../../lib/idempotency/idempotency-store-key.js';

/** The two things the adapter is asked, as Express and Fastify answer them for these plain requests. */
const adapter = {
  getRequestMethod: () => 'POST',
  getRequestUrl: () => '/orders',
} as unknown as AbstractHttpAdapter;

describe('fingerprintedRequest', () => {
  it('takes the parsed body, or the raw bytes when the app keeps them, with the content type normalized', () => {
    const request: HttpRequest = { headers: { 'content-type': 'Application/JSON; charset=utf-8', 'content-length': '14' }, body: { item: 'tea' } };
    expect(fingerprintedRequest(request, adapter)).toEqual({
      method: 'POST',
      url: '/orders',
      contentType: 'application/json;charset=utf-8',
      body: { item: 'tea' },
    });
    const raw = Buffer.from('{"item":"tea"}');
    expect(fingerprintedRequest({ ...request, rawBody: raw }, adapter)).toMatchObject({ body: raw });
  });

  it.each<[string, Record<string, string>]>([
    ['a Content-Length', { 'content-type': 'text/plain', 'content-length': '5' }],
    ['a chunked body', { 'content-type': 'application/octet-stream', 'transfer-encoding': 'chunked' }],
  ])('is undefined for a request with %s that nothing parsed: its body cannot be told from another', (_case, headers) => {
    expect(fingerprintedRequest({ headers }, adapter)).toBeUndefined();
  });

  it('takes a request without a body', () => {
    expect(fingerprintedRequest({ headers: { 'content-length': '0' } }, adapter)).toMatchObject({ contentType: '', body: undefined });
    expect(fingerprintedRequest({ headers: {} }, adapter)).toMatchObject({ body: undefined });
  });
});

describe('idempotencyStoreKey', () => {
  const key = '8e03978e-40d5-43e8-bc93-6894a57f9324';

  it('is the prefix and a hash: the client\'s key never reaches the store', () => {
    const stored = idempotencyStoreKey('idem:', undefined, key);
    expect(stored).toMatch(/^idem:[A-Za-z0-9_-]{43}$/);
    expect(stored).not.toContain(key);
    expect(idempotencyStoreKey('idem:', undefined, key)).toBe(stored);
  });

  it('is another key in another scope, and scopes and keys never run together', () => {
    const keys = [
      idempotencyStoreKey('idem:', undefined, key),
      idempotencyStoreKey('idem:', '', key),
      idempotencyStoreKey('idem:', 'tenant-a', key),
      idempotencyStoreKey('idem:', 'tenant-b', key),
      idempotencyStoreKey('idem:', 'ab', 'c'),
      idempotencyStoreKey('idem:', 'a', 'bc'),
    ];
    expect(new Set(keys).size).toBe(keys.length);
  });
});
