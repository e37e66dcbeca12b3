import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { useFixture } from '../support/fixture.js';
import type { SampleAppProcess } from '../support/server-process.js';
import { runSampleAppToExit } from '../support/server-process.js';
import { testEndpoint, uniqueTableName } from '../support/test-endpoint.js';

const API_TOKEN = 'api-token-0123456789abcdef';
const METRICS_TOKEN = 'metrics-token-0123456789abcdef';

/** Sends raw bytes, with exactly the headers given: fetch adds a content type, and cannot send bytes that are not UTF-8. */
function rawPut(base: string, key: string, headers: Record<string, string>, body: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${base}/kv/${key}`, { method: 'PUT', headers: { authorization: `Bearer ${API_TOKEN}`, ...headers } }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
    });
    request.on('error', reject);
    request.end(body);
  });
}

const putBytes = (base: string, key: string, contentType: string, body: Buffer) => rawPut(base, key, { 'content-type': contentType }, body);

describe('sample app security and input handling (real process)', () => {
  const shared = useFixture('all');
  const fixture = useFixture();
  let app: SampleAppProcess;
  const auth = { authorization: `Bearer ${API_TOKEN}` };

  beforeAll(async () => {
    app = await shared.sampleApp({
      DYNAMODB_ENDPOINT: testEndpoint(),
      KV_TABLE: uniqueTableName('secure'),
      KV_API_TOKEN: API_TOKEN,
      KV_METRICS_TOKEN: METRICS_TOKEN,
      KV_HEADERS_TIMEOUT_MS: '1000',
      KV_REQUEST_TIMEOUT_MS: '2000',
    });
  });

  async function expectErrorShape(response: Response, status: number, code: string | RegExp): Promise<void> {
    expect(response.status).toBe(status);
    const body = (await response.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['error', 'message', 'statusCode']);
    expect(body.statusCode).toBe(status);
    expect(body.error).toMatch(code);
  }

  it('requires the bearer token on /reports too', async () => {
    await expectErrorShape(await fetch(`${app.baseUrl}/reports/daily`), 401, 'UNAUTHORIZED');
    expect((await fetch(`${app.baseUrl}/reports/daily`, { headers: auth })).status).toBe(200);
  });

  it('requires the bearer token on /kv, compares it exactly, and leaves /health open', async () => {
    const unauthorized = await fetch(`${app.baseUrl}/kv/k`);
    expect(unauthorized.headers.get('www-authenticate')).toBe('Bearer');
    await expectErrorShape(unauthorized, 401, 'UNAUTHORIZED');
    await expectErrorShape(await fetch(`${app.baseUrl}/kv/k`, { headers: { authorization: `Bearer ${API_TOKEN}x` } }), 401, 'UNAUTHORIZED');
    await expectErrorShape(await fetch(`${app.baseUrl}/kv/k`, { headers: { authorization: API_TOKEN } }), 401, 'UNAUTHORIZED');
    expect((await fetch(`${app.baseUrl}/kv/k`, { method: 'PUT', headers: { ...auth, 'content-type': 'text/plain' }, body: 'v' })).status).toBe(204);
    expect((await fetch(`${app.baseUrl}/health`)).status).toBe(200);
  });

  it('puts /metrics behind its own token', async () => {
    await expectErrorShape(await fetch(`${app.baseUrl}/metrics`), 401, 'UNAUTHORIZED');
    await expectErrorShape(await fetch(`${app.baseUrl}/metrics`, { headers: auth }), 401, 'UNAUTHORIZED');
    const metrics = await fetch(`${app.baseUrl}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('dynamodb_kv_operation_duration_seconds');
  });

  it('refuses to start with a token anyone could guess', async () => {
    const run = await runSampleAppToExit({ DYNAMODB_ENDPOINT: testEndpoint(), KV_API_TOKEN: 'short' });
    expect(run.code).toBe(1);
    expect(run.output).toContain('KV_API_TOKEN must be at least 16 characters long.');
  });

  it('sends security headers, nosniff included, on responses that carry stored values', async () => {
    await fetch(`${app.baseUrl}/kv/html`, { method: 'PUT', headers: { ...auth, 'content-type': 'text/plain' }, body: '<script>alert(1)</script>' });
    const response = await fetch(`${app.baseUrl}/kv/html`, { headers: auth });
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
  });

  it('refuses bodies that are not UTF-8, or declare another charset, and keeps the stored value', async () => {
    await putBytes(app.baseUrl, 'utf8', 'text/plain', Buffer.from('kept'));
    const invalid = Buffer.from([0x61, 0xff, 0xfe, 0x62]);
    expect(await putBytes(app.baseUrl, 'utf8', 'text/plain', invalid)).toMatchObject({ status: 400, body: expect.stringContaining('INVALID_UTF8') });
    const inJson = Buffer.concat([Buffer.from('{"a":"'), invalid, Buffer.from('"}')]);
    expect(await putBytes(app.baseUrl, 'utf8', 'application/json', inJson)).toMatchObject({ status: 400, body: expect.stringContaining('INVALID_UTF8') });
    const latin1 = await putBytes(app.baseUrl, 'utf8', 'text/plain; charset=latin1', Buffer.from([0x63, 0x61, 0x66, 0xe9]));
    expect(latin1).toMatchObject({ status: 415, body: expect.stringContaining('UNSUPPORTED_CHARSET') });
    expect(await (await fetch(`${app.baseUrl}/kv/utf8`, { headers: auth })).text()).toBe('kept');
  });

  it('round-trips UTF-8 byte for byte, a byte order mark included', async () => {
    const bytes = Buffer.from('\ufeffcafé 😀 \u0000 end', 'utf8');
    expect((await putBytes(app.baseUrl, 'bom', 'text/plain; charset=UTF-8', bytes)).status).toBe(204);
    const back = Buffer.from(await (await fetch(`${app.baseUrl}/kv/bom`, { headers: auth })).arrayBuffer());
    expect(back.equals(bytes)).toBe(true);
  });

  it('answers deeply nested JSON with its documented status, never a 500', async () => {
    const deep = `${'['.repeat(5_000)}${']'.repeat(5_000)}`;
    const post = await fetch(`${app.baseUrl}/kv`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: `{"key":"deep","value":${deep}}` });
    await expectErrorShape(post, 400, 'INVALID_BODY');
    const put = await fetch(`${app.baseUrl}/kv/deep`, { method: 'PUT', headers: { ...auth, 'content-type': 'application/json' }, body: deep });
    expect(put.status).toBe(204);
    expect(await (await fetch(`${app.baseUrl}/kv/deep`, { headers: auth })).text()).toBe(deep);
  });

  it('answers every error in one JSON shape: unknown routes, Fastify refusals, the app and the store', async () => {
    await expectErrorShape(await fetch(`${app.baseUrl}/nowhere`, { headers: auth }), 404, 'NOT_FOUND');
    await expectErrorShape(await fetch(`${app.baseUrl}/kv/x`, { method: 'PUT', headers: { ...auth, 'content-type': 'application/xml' }, body: '<a/>' }), 415, /FST_ERR_CTP_INVALID_MEDIA_TYPE/);
    await expectErrorShape(await fetch(`${app.baseUrl}/kv/x`, { method: 'PUT', headers: { ...auth, 'content-type': 'application/json' }, body: '{"a":' }), 400, 'INVALID_JSON_BODY');
    await expectErrorShape(await fetch(`${app.baseUrl}/kv?key=a`, { method: 'PATCH', headers: auth }), 404, 'NOT_FOUND');
    await expectErrorShape(await fetch(`${app.baseUrl}/kv/${'k'.repeat(2049)}`, { headers: auth }), 400, 'INVALID_KEY');
    expect(await rawPut(app.baseUrl, 'x', {}, Buffer.from('v'))).toMatchObject({ status: 415, body: expect.stringContaining('A body needs a content type') });
    expect(await rawPut(app.baseUrl, 'x', {}, Buffer.alloc(0))).toMatchObject({ status: 400, body: expect.stringContaining('MISSING_CONTENT_TYPE') });
  });

  it('redacts every credential-like header and query parameter, and keys, from the request log', async () => {
    const secrets = ['api-key-secret', 'proxy-secret', 'auth-token-secret', 'cookie-secret', 'query-token-secret', 'query-api-key-secret', 'the-key-asked'];
    await fetch(`${app.baseUrl}/kv?key=the-key-asked&token=query-token-secret&api_key=query-api-key-secret`, {
      headers: { ...auth, 'x-api-key': secrets[0]!, 'proxy-authorization': secrets[1]!, 'x-auth-token': secrets[2]!, cookie: `session=${secrets[3]}` },
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const line = app.jsonLines().find((entry) => entry.msg === 'request completed' && String((entry.req as { url: string }).url).includes('token='));
    expect(line).toBeDefined();
    const req = line!.req as { url: string; headers: Record<string, string> };
    expect(req.url).toBe('/kv?key=[key]&token=[redacted]&api_key=[redacted]');
    for (const header of ['authorization', 'x-api-key', 'proxy-authorization', 'x-auth-token', 'cookie']) expect(req.headers[header]).toBe('[redacted]');
    const everything = [...app.stdout, ...app.stderr].join('\n');
    for (const secret of [...secrets, API_TOKEN]) expect(everything).not.toContain(secret);
  });

  it('closes connections that trickle their headers or their body', async () => {
    const { port } = new URL(app.baseUrl);
    const trickle = (head: string): Socket => {
      const socket = connect(Number(port), '127.0.0.1');
      fixture.defer(() => socket.destroy());
      socket.on('error', () => undefined);
      socket.write(head);
      const timer = setInterval(() => socket.writable && socket.write('x'), 200);
      socket.on('close', () => clearInterval(timer));
      fixture.defer(() => clearInterval(timer));
      return socket;
    };
    const sockets = [
      ...Array.from({ length: 20 }, () => trickle('GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ')),
      ...Array.from({ length: 20 }, () => trickle(`PUT /kv/slow HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${API_TOKEN}\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\n`)),
    ];
    // Headers must arrive within 1 s and whole requests within 2 s (checked every second): 4 s is ample.
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    expect(sockets.filter((socket) => !socket.destroyed && !socket.closed)).toHaveLength(0);
    expect((await fetch(`${app.baseUrl}/health`)).status).toBe(200);
  });
});
