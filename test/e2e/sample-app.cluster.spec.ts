import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { useFixture } from '../support/fixture.js';
import type { ServerProcess } from '../support/server-process.js';
import { run } from '../support/run-command.js';
import { testEndpoint, uniqueTableName } from '../support/test-endpoint.js';

/** The built cluster entry (npm test builds the sample app before Jest runs). */
const CLUSTER_MAIN = fileURLToPath(new URL('../../sample-app/dist/cluster.js', import.meta.url));

/** A header every request line logs as sent: it says which request a line is about, and so which worker served it. */
const REQUEST_NAME = 'x-test-request';

interface LogLine {
  msg?: string;
  context?: string;
  worker?: number;
  req?: { method: string; headers: Record<string, string> };
}

/** One request on a connection of its own (no keep-alive), so that the cluster may hand it to any worker. */
function send(baseUrl: string, method: string, path: string, name: string, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers = { [REQUEST_NAME]: name, ...(body === undefined ? {} : { 'content-type': 'text/plain' }) };
    const request = httpRequest(`${baseUrl}${path}`, { method, headers, agent: false }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
    });
    request.on('error', reject);
    request.end(body);
  });
}

const lines = (app: ServerProcess): LogLine[] => app.jsonLines() as LogLine[];

/** Waits, bounded, until `found` returns something for the app's log lines. */
async function waitForLog<T>(app: ServerProcess, found: (lines: LogLine[]) => T | undefined, what: string, limitMs = 30_000): Promise<T> {
  for (const deadline = Date.now() + limitMs; Date.now() < deadline; ) {
    const result = found(lines(app));
    if (result !== undefined) return result;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`No log line ${what} within ${limitMs} ms:\n${app.stdout.slice(-20).join('\n')}`);
}

/** The pid of every worker the primary started, by worker id, from its "Started worker" lines. */
function startedWorkers(app: ServerProcess): Map<number, number> {
  const started = new Map<number, number>();
  for (const line of lines(app)) {
    const match = line.context === 'Cluster' ? /^Started worker (\d+) \(pid (\d+)\)\.$/.exec(line.msg ?? '') : null;
    if (match) started.set(Number(match[1]), Number(match[2]));
  }
  return started;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Which worker served each named request, from the request lines (once all of them are logged). */
function servedBy(app: ServerProcess, names: string[]): Promise<Map<string, number>> {
  return waitForLog(
    app,
    (logged) => {
      const workers = new Map<string, number>();
      for (const line of logged) {
        const name = line.msg === 'request completed' ? line.req?.headers[REQUEST_NAME] : undefined;
        if (name !== undefined && line.worker !== undefined) workers.set(name, line.worker);
      }
      return names.every((name) => workers.has(name)) ? workers : undefined;
    },
    `for each of ${names.length} requests`,
  );
}

describe('sample app on node:cluster (real processes)', () => {
  const fixture = useFixture();

  /** `node sample-app/dist/cluster.js` with two workers; resolves once the primary says all of them listen. */
  const startCluster = (env: Record<string, string>) =>
    fixture.serverProcess(CLUSTER_MAIN, {
      env: { KV_WORKERS: '2', KV_KEY_COUNT_CRON: 'off', KV_RATE_LIMIT: 'off', ...env },
      listeningUrl: (line) => {
        if (!line.startsWith('{')) return undefined;
        const { context, msg } = JSON.parse(line) as LogLine;
        return context === 'Cluster' && msg?.startsWith('Listening on ') ? msg.slice('Listening on '.length) : undefined;
      },
    });

  it('serves one port from two workers over one embedded store, started once by the primary', async () => {
    const dataDir = await fixture.tempDir('kv-cluster-');
    const app = await startCluster({ KV_DATA_DIR: dataDir });
    expect(app.stdout.join('\n')).toContain(`Started the embedded DynamoDB-compatible store (dynalite), data in ${dataDir}, for all 2 workers.`);
    const keys = Array.from({ length: 6 }, (_, index) => `shared-${index}`);
    for (const key of keys) expect((await send(app.baseUrl, 'PUT', `/kv/${key}`, `put ${key}`, `value of ${key}`)).status).toBe(204);
    for (const key of keys) {
      for (const read of ['a', 'b']) expect(await send(app.baseUrl, 'GET', `/kv/${key}`, `get ${key} ${read}`)).toEqual({ status: 200, body: `value of ${key}` });
    }
    const names = keys.flatMap((key) => [`put ${key}`, `get ${key} a`, `get ${key} b`]);
    const workers = await servedBy(app, names);
    expect(new Set(workers.values()).size).toBe(2);
    // A value written through one worker was read, as written, through the other.
    const crossed = keys.filter((key) => [`get ${key} a`, `get ${key} b`].some((read) => workers.get(read) !== workers.get(`put ${key}`)));
    expect(crossed.length).toBeGreaterThan(0);
  });

  it('stops the primary and every worker within KV_SHUTDOWN_TIMEOUT_MS on SIGTERM, though clients never finish their requests', async () => {
    const app = await startCluster({
      DYNAMODB_ENDPOINT: testEndpoint(),
      KV_TABLE: uniqueTableName('cluster'),
      KV_SHUTDOWN_TIMEOUT_MS: '2000',
      KV_REQUEST_TIMEOUT_MS: '60000',
      KV_HEADERS_TIMEOUT_MS: '60000',
    });
    const pids = [...startedWorkers(app).values()];
    expect(pids).toHaveLength(2);
    const { port } = new URL(app.baseUrl);
    // One stuck request per worker, as the primary hands connections round.
    for (let index = 0; index < 2; index += 1) {
      const socket = connect(Number(port), '127.0.0.1');
      fixture.defer(() => socket.destroy());
      socket.on('error', () => undefined);
      socket.write('PUT /kv/stuck HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\nonly part of it');
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    const started = Date.now();
    expect(await app.stop('SIGTERM')).toBe(0);
    // The bound, with room for a busy machine to schedule the exit; the test timeout is 30 s.
    expect(Date.now() - started).toBeLessThan(2_000 + 2_000);
    for (let waited = 0; waited < 2_000 && pids.some(isRunning); waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(pids.filter(isRunning)).toEqual([]);
    const stopped = lines(app);
    expect(stopped.some((line) => line.context === 'Cluster' && line.msg === 'SIGTERM: stopping 2 workers (at most 2000 ms).')).toBe(true);
    // Each worker dropped its stuck connection at its own, slightly shorter, bound.
    expect(stopped.filter((line) => line.worker !== undefined && /^Connections still open after \d+ ms: closing them\.$/.test(line.msg ?? ''))).not.toHaveLength(0);
  });

  it('replaces a worker that dies, and keeps serving from two', async () => {
    const app = await startCluster({ DYNAMODB_ENDPOINT: testEndpoint(), KV_TABLE: uniqueTableName('cluster') });
    const victim = startedWorkers(app).get(2)!;
    process.kill(victim, 'SIGKILL');
    await waitForLog(app, (logged) => logged.find((line) => line.msg === `Worker 2 (pid ${victim}) exited (SIGKILL): starting a replacement now.`), 'about the dead worker');
    await waitForLog(app, (logged) => logged.find((line) => line.context === 'Cluster' && /^Worker 3 \(pid \d+\) is listening\.$/.test(line.msg ?? '')), 'about its replacement');
    expect(isRunning(startedWorkers(app).get(3)!)).toBe(true);
    const names = ['one', 'two', 'three', 'four'];
    for (const name of names) expect((await send(app.baseUrl, 'PUT', `/kv/${name}`, name, name)).status).toBe(204);
    expect(new Set((await servedBy(app, names)).values())).toEqual(new Set([1, 3]));
  });

  it('replaces at most five workers a minute: the sixth waits its turn', async () => {
    const app = await startCluster({ DYNAMODB_ENDPOINT: testEndpoint(), KV_TABLE: uniqueTableName('cluster') });
    // Kill the newest worker six times, each as soon as it is started (it need not be listening yet).
    for (let id = 2; id < 8; id += 1) {
      const pid = await waitForLog(app, () => startedWorkers(app).get(id), `about worker ${id} starting`);
      process.kill(pid, 'SIGKILL');
    }
    await waitForLog(app, (logged) => logged.find((line) => line.worker === 7 && line.context === 'Cluster' && line.msg?.includes('exited')), 'about worker 7');
    const replacements = lines(app).filter((line) => line.context === 'Cluster' && line.msg?.includes('starting a replacement'));
    expect(replacements.map((line) => line.msg!.replace(/^.*starting a replacement /, ''))).toEqual([
      ...Array<string>(5).fill('now.'),
      expect.stringMatching(/^in \d+ s \(at most 5 replacements a minute\)\.$/),
    ]);
    expect(startedWorkers(app).has(8)).toBe(false);
    // Worker 1 served throughout.
    expect((await send(app.baseUrl, 'PUT', '/kv/still-up', 'still up', 'yes')).status).toBe(204);
  });

  it('refuses a worker count it cannot use, with a clear message', async () => {
    const result = await run(process.execPath, [CLUSTER_MAIN], process.cwd(), { env: { KV_WORKERS: '0', DYNAMODB_ENDPOINT: testEndpoint() }, limitMs: 20_000 });
    expect(result.code).toBe(1);
    expect(result.output).toContain('The sample app could not start: KV_WORKERS must be a whole number from 1 to 1024');
  });
});
