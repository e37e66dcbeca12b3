// @ts-check
/** The sample app as a real process under HTTP load (autocannon), with the store's batching on and off. */
import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { processCpuMicros } from './servers.mjs';

const SAMPLE_APP = fileURLToPath(new URL('../sample-app/dist/main.js', import.meta.url));

/**
 * @typedef {{ requestsPerSecond: number, p50Ms: number, p99Ms: number, serverCpuMicrosPerRequest: number, errors: number }} LoadResult
 */

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const address = server.address();
  await new Promise((resolve) => server.close(() => resolve(undefined)));
  return typeof address === 'object' && address ? address.port : 0;
}

/**
 * Starts the built sample app on `endpoint` (request logs off: they would cost the same in both runs)
 * and waits, bounded, until /health answers.
 * @param {string} endpoint @param {boolean} batching
 */
async function startSampleApp(endpoint, batching) {
  const port = await freePort();
  const env = { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: String(port), DYNAMODB_ENDPOINT: endpoint, KV_TABLE: 'bench-sample', LOG_LEVEL: 'warn', KV_BATCHING: batching ? 'on' : 'off' };
  const child = spawn(process.execPath, [SAMPLE_APP], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 300; attempt += 1) {
    const up = await fetch(`${url}/health`).then((response) => response.ok, () => false);
    if (up) return { url, pid: child.pid ?? 0, stop: () => child.kill('SIGTERM') };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error('The sample app did not answer /health within 30 s.');
}

/**
 * @param {string} url @param {'GET' | 'PUT'} method @param {number} keys @param {number} seconds
 * @returns {Promise<import('autocannon').Result>}
 */
function load(url, method, keys, seconds) {
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
 * @param {string} endpoint @param {boolean} batching @param {{ keys: number, seconds: number }} plan
 * @returns {Promise<Record<'GET' | 'PUT', LoadResult>>}
 */
export async function loadSampleApp(endpoint, batching, { keys, seconds }) {
  const app = await startSampleApp(endpoint, batching);
  try {
    for (let index = 0; index < keys; index += 1) {
      await fetch(`${app.url}/kv/bench-key-${index}`, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: 'v'.repeat(100) });
    }
    /** @type {Partial<Record<'GET' | 'PUT', LoadResult>>} */
    const results = {};
    for (const method of /** @type {const} */ (['GET', 'PUT'])) {
      await load(app.url, method, keys, 1); // warm-up
      const cpuBefore = (await processCpuMicros(app.pid)) ?? 0;
      const result = await load(app.url, method, keys, seconds);
      const cpu = ((await processCpuMicros(app.pid)) ?? 0) - cpuBefore;
      results[method] = {
        requestsPerSecond: result.requests.average,
        p50Ms: result.latency.p50,
        p99Ms: result.latency.p99,
        serverCpuMicrosPerRequest: cpu / Math.max(1, result.requests.total),
        errors: result.errors + result.non2xx,
      };
    }
    return /** @type {Record<'GET' | 'PUT', LoadResult>} */ (results);
  } finally {
    app.stop();
  }
}
