// @ts-check
/** The sample app as a real process under HTTP load (autocannon), with the store's batching on and off. */
import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { processCpuMicros } from './servers.mjs';

const SAMPLE_APP = fileURLToPath(new URL('../sample-app/dist/main.js', import.meta.url));
const SAMPLE_APP_CLUSTER = fileURLToPath(new URL('../sample-app/dist/cluster.js', import.meta.url));

/**
 * @typedef {{
 *   requestsPerSecond: number,
 *   p50Ms: number,
 *   p99Ms: number,
 *   serverCpuMicrosPerRequest: number,
 *   errors: number,
 *   loadCpuMicrosPerRequest?: number,
 *   storeCpuMicrosPerRequest?: number,
 * }} LoadResult
 *   `serverCpuMicrosPerRequest`: the app's (all its processes'); `loadCpuMicrosPerRequest`: this process's
 *   (autocannon's); `storeCpuMicrosPerRequest`: the DynamoDB server's, when the plan names its pid.
 * @typedef {{
 *   keys: number,
 *   seconds: number,
 *   workers?: number,
 *   nodeArgs?: string[],
 *   env?: Record<string, string>,
 *   storePid?: number,
 * }} LoadPlan
 *   `workers`: run `sample-app/dist/cluster.js` with that many workers (KV_WORKERS) instead of one process;
 *   `nodeArgs`: extra arguments for node (`--cpu-prof`, say); `env`: on top of the bench's environment.
 */

export async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const address = server.address();
  await new Promise((resolve) => server.close(() => resolve(undefined)));
  return typeof address === 'object' && address ? address.port : 0;
}

/**
 * The pids of a process and all its descendants (Linux /proc; just `pid` elsewhere): a cluster's CPU is
 * its primary's and its workers'.
 * @param {number} pid @returns {Promise<number[]>}
 */
async function processTree(pid) {
  const children = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').then(
    (text) => text.split(' ').filter(Boolean).map(Number),
    () => [],
  );
  const descendants = await Promise.all(children.map(processTree));
  return [pid, ...descendants.flat()];
}

/** CPU time of a process and its descendants so far, in microseconds. @param {number} pid */
export async function treeCpuMicros(pid) {
  const pids = await processTree(pid);
  const times = await Promise.all(pids.map((each) => processCpuMicros(each)));
  return times.reduce((sum, time) => (sum ?? 0) + (time ?? 0), 0) ?? 0;
}

/**
 * Starts the built sample app on `endpoint` (request logs off: they would cost the same in both runs)
 * and waits, bounded, until /health answers (every worker's, with a cluster: a few tries each).
 * @param {string} endpoint @param {boolean} batching @param {LoadPlan} plan
 */
async function startSampleApp(endpoint, batching, plan) {
  const port = await freePort();
  const env = {
    PATH: process.env.PATH ?? '',
    HOST: '127.0.0.1',
    PORT: String(port),
    DYNAMODB_ENDPOINT: endpoint,
    KV_TABLE: 'bench-sample',
    LOG_LEVEL: 'warn',
    KV_BATCHING: batching ? 'on' : 'off',
    KV_RATE_LIMIT: 'off',
    KV_KEY_COUNT_CRON: 'off',
    ...(plan.workers === undefined ? {} : { KV_WORKERS: String(plan.workers) }),
    ...plan.env,
  };
  const main = plan.workers === undefined ? SAMPLE_APP : SAMPLE_APP_CLUSTER;
  const child = spawn(process.execPath, [...(plan.nodeArgs ?? []), main], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  const url = `http://127.0.0.1:${port}`;
  // A cluster's workers come up one by one: wait until the tree has all its processes, then for /health.
  const processes = plan.workers === undefined ? 1 : plan.workers + 1;
  for (let attempt = 0; attempt < 300; attempt += 1) {
    const up = await fetch(`${url}/health`).then((response) => response.ok, () => false);
    if (up && (await processTree(child.pid ?? 0)).length >= processes) {
      return { url, pid: child.pid ?? 0, stop: () => child.kill('SIGTERM'), exited: new Promise((resolve) => child.once('exit', resolve)) };
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error('The sample app did not answer /health within 30 s.');
}

/**
 * The HTTP load of the benchmarks: GET or PUT (100 bytes) of random keys of `keys` preloaded ones at 64
 * connections for `seconds`.
 * @param {string} url @param {'GET' | 'PUT'} method @param {number} keys @param {number} seconds
 * @returns {Promise<import('autocannon').Result>}
 */
export function load(url, method, keys, seconds) {
  const key = () => `bench-key-${Math.floor(Math.random() * keys)}`;
  return autocannon({
    url,
    connections: 64,
    duration: seconds,
    requests: [
      {
        method,
        headers: method === 'PUT' ? { 'content-type': 'text/plain' } : {},
        body: method === 'PUT' ? 'v'.repeat(100) : undefined,
        setupRequest: (request) => ({ ...request, path: `/kv/${key()}` }),
      },
    ],
  });
}

/**
 * GET and PUT of random preloaded keys at 64 connections, against the app with batching on or off.
 * Server CPU is the app's process and its children (a cluster's workers, dynalite's thread is in-process).
 * @param {string} endpoint @param {boolean} batching @param {LoadPlan} plan
 * @returns {Promise<Record<'GET' | 'PUT', LoadResult>>}
 */
export async function loadSampleApp(endpoint, batching, plan) {
  const { keys, seconds } = plan;
  const app = await startSampleApp(endpoint, batching, plan);
  try {
    for (let index = 0; index < keys; index += 1) {
      await fetch(`${app.url}/kv/bench-key-${index}`, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: 'v'.repeat(100) });
    }
    /** @type {Partial<Record<'GET' | 'PUT', LoadResult>>} */
    const results = {};
    for (const method of /** @type {const} */ (['GET', 'PUT'])) {
      await load(app.url, method, keys, 1); // warm-up
      const cpuBefore = await treeCpuMicros(app.pid);
      const storeBefore = plan.storePid === undefined ? 0 : ((await processCpuMicros(plan.storePid)) ?? 0);
      const loadBefore = process.cpuUsage();
      const result = await load(app.url, method, keys, seconds);
      const loadCpu = process.cpuUsage(loadBefore);
      const storeCpu = plan.storePid === undefined ? undefined : ((await processCpuMicros(plan.storePid)) ?? 0) - storeBefore;
      const cpu = (await treeCpuMicros(app.pid)) - cpuBefore;
      const requests = Math.max(1, result.requests.total);
      results[method] = {
        requestsPerSecond: result.requests.average,
        p50Ms: result.latency.p50,
        p99Ms: result.latency.p99,
        serverCpuMicrosPerRequest: cpu / requests,
        errors: result.errors + result.non2xx,
        loadCpuMicrosPerRequest: (loadCpu.user + loadCpu.system) / requests,
        ...(storeCpu === undefined ? {} : { storeCpuMicrosPerRequest: storeCpu / requests }),
      };
    }
    return /** @type {Record<'GET' | 'PUT', LoadResult>} */ (results);
  } finally {
    app.stop();
    // Bounded: a --cpu-prof run writes its profile on exit, which the caller may want to read.
    await Promise.race([app.exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
  }
}
