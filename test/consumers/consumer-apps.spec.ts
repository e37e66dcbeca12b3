import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { installConsumer, packLibrary } from '../support/consumer-app.js';
import { findInDocs } from '../support/docs-pages.js';
import { run, succeed } from '../support/run-command.js';
import { useFixture, type Fixture } from '../support/fixture.js';
import type { ServerProcess } from '../support/server-process.js';
import { testEndpoint, type TestTable } from '../support/test-endpoint.js';

/** npm installs from the registry and TypeScript builds: minutes, not seconds. */
const SLOW = 300_000;

const CONSUMERS = fileURLToPath(new URL('.', import.meta.url));

/** A source file of consumer app `name` as installConsumer lays it out: the app's own, else the shared one. */
async function consumerSource(name: string, file: string): Promise<string> {
  const own = join(CONSUMERS, name, file);
  const path = await access(own).then(() => own, () => join(CONSUMERS, 'app', file));
  return readFile(path, 'utf8');
}

/** The snippets the docs show and the consumer apps run: a class, or the cache's registration in the module. */
const SNIPPETS = {
  healthController: /@Controller\('health'\)[\s\S]*?\n}\n/,
  pricesController: /@Controller\('prices'\)[\s\S]*?\n}\n/,
  cacheRegistration: /^ {4}CacheModule\.registerAsync\([\s\S]*?^ {4}}\),$/m,
};

const snippet = (pattern: RegExp, source: string): string => pattern.exec(source)?.[0] ?? '';

// Reads sources only (no install), so that it runs alone: -t 'as it stands'.
describe.each(['nest11-cjs', 'nest12-esm'])('the docs snippets in consumer app %s', (name) => {
  it('uses the docs health controller as it stands', async () => {
    const inApp = snippet(SNIPPETS.healthController, await consumerSource(name, 'src/health.controller.ts'));
    expect(inApp).not.toBe('');
    const { match } = await findInDocs(SNIPPETS.healthController, 'the health controller');
    expect(match[0]).toBe(inApp);
  });

  it('uses the docs cache setup as it stands: its controller, and its CacheModule registration', async () => {
    const inApp = {
      controller: snippet(SNIPPETS.pricesController, await consumerSource(name, 'src/prices.controller.ts')),
      registration: snippet(SNIPPETS.cacheRegistration, await consumerSource(name, 'src/app.module.ts')),
    };
    expect(inApp.controller).not.toBe('');
    expect(inApp.registration).not.toBe('');
    const controller = await findInDocs(SNIPPETS.pricesController, 'the cached controller');
    const registration = await findInDocs(SNIPPETS.cacheRegistration, 'the CacheModule registration');
    expect({ controller: controller.match[0], registration: registration.match[0] }).toEqual(inApp);
  });
});

describe('apps that install the packed package', () => {
  const shared = useFixture('all');
  let tarball: string;

  beforeAll(async () => {
    tarball = await packLibrary(await shared.tempDir('kv-pack-'));
  }, SLOW);

  describe.each([
    ['nest11-cjs', 'Nest 11, CommonJS', { terminus: 11, cacheManager: 3 }],
    ['nest12-esm', 'Nest 12, ESM', { terminus: 12, cacheManager: 12 }],
  ])('%s (%s)', (name, _label, majors) => {
    const app = useFixture('all');
    const fixture = useFixture();
    let dir: string;

    beforeAll(async () => {
      dir = await app.tempDir(`kv-${name}-`);
      await installConsumer(name, dir, tarball);
    }, SLOW);

    it('builds with tsc', async () => {
      await succeed('npm', ['run', 'build'], dir);
      if (name === 'nest11-cjs') await succeed('npm', ['run', 'typecheck:node10'], dir); // the specs too: they import nestjs-dynamodb-kv/testing
    }, SLOW);

    it('passes its own Jest test, which uses nestjs-dynamodb-kv/testing', async () => {
      const result = await run('npm', ['test'], dir);
      expect(result.output).toMatch(/Tests:\s+\d+ passed, \d+ total/);
      expect(result.code).toBe(0);
    }, SLOW);

    it('has the @nestjs/terminus and @nestjs/cache-manager majors its Nest version needs installed', async () => {
      const major = async (peer: string): Promise<number> => {
        const { version } = JSON.parse(await readFile(join(dir, 'node_modules', peer, 'package.json'), 'utf8')) as { version: string };
        return Number(version.split('.')[0]);
      };
      expect({ terminus: await major('@nestjs/terminus'), cacheManager: await major('@nestjs/cache-manager') }).toEqual(majors);
    });

    it('passes its own e2e test (npm run test:e2e), which boots the AppModule: /health, a cached route, a 404, /metrics', async () => {
      const table = await fixture.table();
      const result = await run('npm', ['run', 'test:e2e'], dir, { env: { DYNAMODB_ENDPOINT: testEndpoint(), KV_TABLE: table.name } });
      expect(result.output).toMatch(/Tests:\s+4 passed, 4 total/);
      expect(result.code).toBe(0);
    }, SLOW);

    it('serves a cached route from DynamoDB through @nestjs/cache-manager and nestjs-dynamodb-kv/keyv', async () => {
      const { server } = await startConsumer(fixture, dir);
      const prices = async () => (await fetch(`${server.baseUrl}/prices`)).json() as Promise<{ loadedAt: string }>;
      const first = await prices();
      expect(first).toMatchObject({ prices: { tea: 3, coffee: 4 } });
      expect(await prices()).toEqual(first);
      const cached = await fetch(`${server.baseUrl}/kv/${encodeURIComponent('http-cache:/prices')}`);
      expect(JSON.parse(((await cached.json()) as { value: string }).value)).toMatchObject({ value: first });
    }, SLOW);

    it('serves set, get, delete, typed errors, /health and /metrics over HTTP', async () => {
      const { server } = await startConsumer(fixture, dir);
      const url = (path: string): string => `${server.baseUrl}${path}`;
      const put = await fetch(url('/kv/colour'), { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"value":"teal"}' });
      expect(put.status).toBe(204);
      expect(await (await fetch(url('/kv/colour'))).json()).toEqual({ value: 'teal' });
      expect((await fetch(url('/kv/colour'), { method: 'DELETE' })).status).toBe(204);

      const missing = await fetch(url('/kv/colour'));
      expect(missing.status).toBe(404);
      expect(await missing.json()).toMatchObject({ statusCode: 404, error: 'KEY_NOT_FOUND' });
      const tooLong = await fetch(url(`/kv/${'k'.repeat(2049)}`));
      expect(tooLong.status).toBe(400);
      expect(await tooLong.json()).toMatchObject({ statusCode: 400, error: 'INVALID_KEY' });
      // The app's own `instanceof KeyNotFoundError`, in the app's module format.
      expect(await (await fetch(url('/greet/ada'))).json()).toEqual({ greeting: 'Hello, stranger' });

      const health = await fetch(url('/health'));
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'ok', details: { dynamodb: { status: 'up', tableStatus: 'ACTIVE' } } });
      const metrics = await (await fetch(url('/metrics'))).text();
      expect(metrics).toMatch(/dynamodb_kv_operation_duration_seconds_count\{store="default",table="[^"]+",operation="set",outcome="success"\} 1/);
    }, SLOW);

    it('answers /health with 503 once its table is gone', async () => {
      const { server, table } = await startConsumer(fixture, dir);
      expect((await fetch(`${server.baseUrl}/health`)).status).toBe(200);
      await table.drop();
      let status = 0;
      // The store caches health results for 5 s by default; poll, bounded, until the outage shows.
      for (let attempt = 0; attempt < 40 && status !== 503; attempt += 1) {
        status = (await fetch(`${server.baseUrl}/health`)).status;
        if (status !== 503) await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(status).toBe(503);
    }, SLOW);
  });

  describe('an app without the optional peers (@nestjs/terminus, prom-client, @opentelemetry/api, keyv, @nestjs/cache-manager)', () => {
    const app = useFixture('all');
    let dir: string;

    beforeAll(async () => {
      dir = await app.tempDir('kv-no-optional-peers-');
      await installConsumer('no-optional-peers', dir, tarball);
      await succeed('npm', ['run', 'build'], dir);
    }, SLOW);

    it('has none of them installed: npm does not install optional peers', async () => {
      for (const peer of ['@nestjs/terminus', 'prom-client', '@opentelemetry/api', 'keyv', '@nestjs/cache-manager']) {
        await expect(access(join(dir, 'node_modules', peer))).rejects.toThrow();
      }
    });

    it('boots and stores, without a histogram, and names the package the health indicator needs', async () => {
      const table = await app.table();
      const env = { DYNAMODB_ENDPOINT: testEndpoint(), KV_TABLE: table.name };
      const result = await run(process.execPath, ['dist/main.js'], dir, { env, limitMs: 60_000 });
      expect(result.code).toBe(0);
      const line = result.output.split('\n').find((candidate) => candidate.startsWith('{'));
      expect(JSON.parse(line ?? '{}')).toEqual({
        value: 'hello',
        histogram: null,
        indicatorError: 'DynamoKvHealthIndicator needs the "@nestjs/terminus" package, which is not installed: npm install @nestjs/terminus@11 (Nest 11) or @nestjs/terminus@12 (Nest 12)',
      });
    }, SLOW);
  });
});

/** Starts the built consumer app on a fresh table of the test server. */
async function startConsumer(fixture: Fixture, dir: string): Promise<{ server: ServerProcess; table: TestTable }> {
  const table = await fixture.table();
  const server = await fixture.serverProcess(join(dir, 'dist/main.js'), {
    cwd: dir,
    env: { DYNAMODB_ENDPOINT: testEndpoint(), KV_TABLE: table.name },
    listeningUrl: (line) => /^Listening on (http:\/\/\S+)/.exec(line)?.[1],
  });
  return { server, table };
}
