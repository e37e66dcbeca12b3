import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { Agent, request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { useFixture } from '../support/fixture.js';
import { testEndpoint, uniqueTableName } from '../support/test-endpoint.js';

/** Time to an exit: well under the keep-alive timeout the app is given here, which must not hold it. */
const KEEP_ALIVE_MS = '60000';

describe('sample app graceful shutdown (real process)', () => {
  const fixture = useFixture();

  const start = (env: Record<string, string> = {}, table = uniqueTableName('shutdown')) =>
    fixture.sampleApp({ DYNAMODB_ENDPOINT: testEndpoint(), KV_TABLE: table, KV_KEEP_ALIVE_TIMEOUT_MS: KEEP_ALIVE_MS, ...env });

  it('exits 0 at once on SIGTERM though a keep-alive client keeps its connection open', async () => {
    const app = await start();
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    fixture.defer(() => agent.destroy());
    const get = () =>
      new Promise<number>((resolve, reject) => {
        httpRequest(`${app.baseUrl}/health`, { agent }, (response) => {
          response.resume();
          response.on('end', () => resolve(response.statusCode ?? 0));
        })
          .on('error', reject)
          .end();
      });
    expect(await get()).toBe(200);
    const started = Date.now();
    expect(await app.stop('SIGTERM')).toBe(0);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('answers the requests in flight, then exits 0, under 64 keep-alive writers; every acknowledged write is stored', async () => {
    const table = uniqueTableName('shutdown');
    const app = await start({}, table);
    const agent = new Agent({ keepAlive: true, maxSockets: 64 });
    fixture.defer(() => agent.destroy());
    let stopping = false;
    const acknowledged = new Map<string, string>();
    const put = (key: string, value: string) =>
      new Promise<number>((resolve) => {
        const request = httpRequest(`${app.baseUrl}/kv/${key}`, { method: 'PUT', agent, headers: { 'content-type': 'text/plain' } }, (response) => {
          response.resume();
          response.on('end', () => resolve(response.statusCode ?? 0));
        });
        request.on('error', () => resolve(0));
        request.end(value);
      });
    const writers = Array.from({ length: 64 }, async (_, writer) => {
      for (let round = 0; round < 10_000 && !stopping; round += 1) {
        if ((await put(`writer-${writer}`, `round ${round}`)) === 204) acknowledged.set(`writer-${writer}`, `round ${round}`);
        else return;
      }
    });
    // Every writer is under way (one acknowledged write each; on a busy machine that can take over a second).
    for (const waitUntil = Date.now() + 10_000; acknowledged.size < 64 && Date.now() < waitUntil; ) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    const started = Date.now();
    const exited = app.stop('SIGTERM');
    const code = await exited;
    stopping = true;
    await Promise.all(writers);
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(acknowledged.size).toBe(64);
    const client = fixture.client();
    for (const [key, value] of acknowledged) {
      const { Item } = await client.send(new GetItemCommand({ TableName: table, Key: { pk: { S: key } }, ConsistentRead: true }));
      expect(Item?.value?.S).toBe(value);
    }
  });

  it('exits within KV_SHUTDOWN_TIMEOUT_MS even when a client never finishes its request', async () => {
    const app = await start({ KV_SHUTDOWN_TIMEOUT_MS: '1500', KV_REQUEST_TIMEOUT_MS: '60000', KV_HEADERS_TIMEOUT_MS: '60000' });
    const { port } = new URL(app.baseUrl);
    const socket = connect(Number(port), '127.0.0.1');
    fixture.defer(() => socket.destroy());
    socket.on('error', () => undefined);
    socket.write('PUT /kv/stuck HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\nonly part of it');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const started = Date.now();
    expect(await app.stop('SIGTERM')).toBe(0);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(app.stdout.join('\n')).toContain('Connections still open after 1500 ms: closing them.');
  });
});
