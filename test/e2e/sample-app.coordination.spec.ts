import { useFixture } from '../support/fixture.js';
import type { SampleAppProcess } from '../support/server-process.js';
import { testEndpoint, uniqueTableName } from '../support/test-endpoint.js';

/** Two instances of the sample app on one table: what they share goes through it. */
describe('the sample app on two instances (real processes, one table)', () => {
  const fixture = useFixture();

  async function twoInstances(env: Record<string, string>): Promise<[SampleAppProcess, SampleAppProcess]> {
    const shared = { DYNAMODB_ENDPOINT: testEndpoint(), KV_TABLE: uniqueTableName('sample-shared'), ...env };
    // One after the other: the first creates the table.
    const first = await fixture.sampleApp(shared);
    return [first, await fixture.sampleApp(shared)];
  }

  it('holds one rate limit per client across both (KV_RATE_LIMIT), with the 429 in the app\'s JSON shape', async () => {
    const apps = await twoInstances({ KV_RATE_LIMIT: '4/60' });
    const statuses: number[] = [];
    for (let hit = 0; hit < 4; hit += 1) {
      const response = await fetch(`${apps[hit % 2]!.baseUrl}/kv/limited`, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: 'v' });
      statuses.push(response.status);
      expect(response.headers.get('x-ratelimit-limit')).toBe('4');
      expect(response.headers.get('x-ratelimit-remaining')).toBe(String(3 - hit));
    }
    expect(statuses).toEqual([204, 204, 204, 204]);
    // @nestjs/throttler counts per route handler: the same PUT again, on either instance.
    for (const app of apps) {
      const refused = await fetch(`${app.baseUrl}/kv/limited`, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: 'v' });
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await refused.json()).toMatchObject({ statusCode: 429, error: 'TOO_MANY_REQUESTS' });
    }
    // Other routes count on their own, and /health is not limited.
    expect((await fetch(`${apps[0].baseUrl}/kv/limited`)).status).toBe(200);
    expect((await fetch(`${apps[0].baseUrl}/health`)).status).toBe(200);
  }, 60_000);

  it('runs the key-count job on one instance per tick (KV_KEY_COUNT_CRON), each run under a lease of its own', async () => {
    const apps = await twoInstances({ KV_KEY_COUNT_CRON: '*/2 * * * * *', LOG_LEVEL: 'info' });
    await fetch(`${apps[0].baseUrl}/kv/counted`, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: 'v' });
    const runs = (): Array<{ token: number; pid: unknown }> =>
      apps.flatMap((app) =>
        app
          .jsonLines()
          .filter((line) => typeof line.msg === 'string' && line.msg.startsWith('Counted '))
          .map((line) => ({ token: Number(/fencing token (\d+)/.exec(String(line.msg))?.[1]), pid: line.pid })),
      );
    const deadline = Date.now() + 20_000;
    while (runs().length < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 250));
    const seen = runs();
    expect(seen.length).toBeGreaterThanOrEqual(3);
    // A lease changes hands for every run: no two runs, on either instance, shared one.
    const tokens = seen.map(({ token }) => token);
    expect(new Set(tokens).size).toBe(tokens.length);
    const report = (await (await fetch(`${apps[1].baseUrl}/kv/jobs:key-count`)).json()) as { keys: number; fencingToken: number };
    expect(report.keys).toBeGreaterThanOrEqual(1);
    expect(tokens).toContain(report.fencingToken);
  }, 60_000);

  it('counts a retried POST /kv/:key/increment once across both when it carries the same Idempotency-Key', async () => {
    const apps = await twoInstances({});
    const increment = (app: SampleAppProcess, idempotencyKey: string) =>
      fetch(`${app.baseUrl}/kv/visits/increment?by=5`, { method: 'POST', headers: { 'idempotency-key': `"${idempotencyKey}"` } }).then(
        async (response) => ({ status: response.status, replayed: response.headers.get('idempotent-replayed'), body: await response.json() }),
      );
    const first = await increment(apps[0], 'retry-1');
    const retried = await increment(apps[1], 'retry-1');
    expect(first).toEqual({ status: 200, replayed: null, body: { count: 5 } });
    expect(retried).toEqual({ status: 200, replayed: 'true', body: { count: 5 } });
    // A new key is a new request.
    expect((await increment(apps[1], 'retry-2')).body).toEqual({ count: 10 });
    expect(await (await fetch(`${apps[0].baseUrl}/kv/visits`)).text()).toBe('10');
  }, 60_000);
});
