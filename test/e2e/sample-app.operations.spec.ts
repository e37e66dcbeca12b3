import type { RunningServer } from '../support/dynalite-server.js';
import { useFixture } from '../support/fixture.js';
import type { SampleAppProcess } from '../support/server-process.js';
import { testEndpoint, uniqueTableName } from '../support/test-endpoint.js';

const SECRET_VALUE = 'secret-value-for-log-test';
const SECRET_KEY = 'secret-key-for-log-test';

describe('sample app operations (real process)', () => {
  const fixture = useFixture();

  it('serves /metrics with counts per operation and outcome after requests', async () => {
    const table = uniqueTableName('sample');
    const app = await fixture.sampleApp({ DYNAMODB_ENDPOINT: testEndpoint(), KV_TABLE: table });
    const kv = (key: string) => `${app.baseUrl}/kv/${key}`;
    for (const key of ['a', 'b', 'c']) {
      await fetch(kv(key), { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: 'v' });
    }
    await fetch(kv('a'));
    await fetch(kv('missing'));
    const metrics = await (await fetch(`${app.baseUrl}/metrics`)).text();
    const count = (operation: string, outcome: string) =>
      metrics.match(
        new RegExp(`dynamodb_kv_operation_duration_seconds_count\\{store="default",table="${table}",operation="${operation}",outcome="${outcome}"\\} (\\d+)`),
      )?.[1];
    expect(count('set', 'success')).toBe('3');
    expect(count('get', 'success')).toBe('1');
    expect(count('get', 'not_found')).toBe('1');
    expect(metrics).toContain('process_cpu_seconds_total');
  });

  it('logs requests as JSON on stdout without values, keys or credentials, and not /health or /metrics', async () => {
    const app = await fixture.sampleApp({ DYNAMODB_ENDPOINT: testEndpoint(), KV_TABLE: uniqueTableName('sample') });
    await fetch(`${app.baseUrl}/kv/${SECRET_KEY}`, {
      method: 'PUT',
      headers: { 'content-type': 'text/plain', authorization: 'Bearer secret-token' },
      body: SECRET_VALUE,
    });
    expect(await (await fetch(`${app.baseUrl}/kv/${SECRET_KEY}`)).text()).toBe(SECRET_VALUE);
    await fetch(`${app.baseUrl}/health`);
    await fetch(`${app.baseUrl}/metrics`);
    expect(await app.stop()).toBe(0); // flushes the logs this test reads

    const requests = app.jsonLines().filter((line) => line.msg === 'request completed');
    expect(requests.map((line) => [(line.req as { method: string }).method, (line.req as { url: string }).url])).toEqual([
      ['PUT', '/kv/[key]'],
      ['GET', '/kv/[key]'],
    ]);
    expect((requests[0]!.req as { headers: Record<string, string> }).headers.authorization).toBe('[redacted]');
    const everything = [...app.stdout, ...app.stderr].join('\n');
    for (const secret of [SECRET_VALUE, SECRET_KEY, 'secret-token']) expect(everything).not.toContain(secret);
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('shuts down on %s and exits with code 0', async (signal) => {
    const app = await fixture.sampleApp({ DYNAMODB_ENDPOINT: testEndpoint(), KV_TABLE: uniqueTableName('sample') });
    expect(await app.stop(signal)).toBe(0);
    expect(app.stdout.join('\n')).toContain('Closed the DynamoDB client');
  });

  describe('when DynamoDB goes away', () => {
    const shared = useFixture('all');
    let server: RunningServer;
    let app: SampleAppProcess;

    beforeAll(async () => {
      server = await shared.dynalite();
      app = await shared.sampleApp({ DYNAMODB_ENDPOINT: server.endpoint });
    });

    it('reports /health up, then 503 down once the server stops, and answers requests with 503, not 500', async () => {
      const health = await fetch(`${app.baseUrl}/health`);
      expect(health.status).toBe(200);
      await server.close();

      // The health result is cached for 5 s, so poll (bounded) until the outage shows.
      let status = 200;
      for (let attempt = 0; attempt < 40 && status === 200; attempt += 1) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        status = (await fetch(`${app.baseUrl}/health`)).status;
      }
      expect(status).toBe(503);
      const down = (await (await fetch(`${app.baseUrl}/health`)).json()) as { details: { dynamodb: { message: string } } };
      expect(down.details.dynamodb).toMatchObject({ status: 'down', message: expect.stringMatching(/^DynamoDB could not be reached/) });
      expect(JSON.stringify(down)).not.toMatch(/127\.0\.0\.1|ECONNREFUSED/);

      const get = await fetch(`${app.baseUrl}/kv/anything`);
      expect(get.status).toBe(503);
      expect(get.headers.get('retry-after')).toBe('1');
      const body = (await get.json()) as { message: string };
      expect(body).toMatchObject({ statusCode: 503, error: 'UNAVAILABLE' });
      expect(body.message).not.toMatch(/127\.0\.0\.1|ECONNREFUSED/);

      // With pino (nestjs-pino), the store's failure is one JSON line whose msg is the whole story, cause included.
      await new Promise((resolve) => setTimeout(resolve, 200));
      const failure = app.jsonLines().find((line) => String(line.msg).startsWith('kv get failed'));
      expect(failure).toMatchObject({ context: 'DynamoKvStore', level: 50 });
      expect(String(failure?.msg)).toMatch(/^kv get failed \(unavailable\) store=default table=\S+ durationMs=[0-9.]+: KvUnavailableError: DynamoDB could not be reached .*; cause: /);
    });
  });
});
