#!/usr/bin/env node
// @ts-check
/**
 * A/B of builds of the sample app (and optionally the Go app) under the HTTP load of bench/gofr.bench.mjs,
 * for measuring one change at a time on a noisy machine: every variant runs at once (all idle but the one
 * under load), and the load alternates between them in short windows, so that the machine's background
 * load, which changes over tens of seconds, hits every variant alike.
 *
 *   node bench/sample-app-ab.mjs before=/tmp/before/dist/main.js after=sample-app/dist/main.js go
 *   node bench/sample-app-ab.mjs one=sample-app/dist/main.js two=sample-app/dist/cluster.js:KV_WORKERS=2
 *
 * A variant is `name=<main.js>[:ENV=value,...]`, or `go` (bench/gofr/bin/kvhttp, built by gofr.bench.mjs).
 * BENCH_AB_WINDOWS windows (default 5) of BENCH_AB_SECONDS (default 3) per variant and method, after a 1 s
 * warm-up each; GET and PUT of 1000 random preloaded keys at 64 connections on the instant server. Prints
 * req/s, p50/p99 (medians of the windows), and CPU per request of the app (its processes together), the
 * load generator (this process) and the instant server.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, load, treeCpuMicros } from './sample-app-load.mjs';
import { processCpuMicros, startInstantServer } from './servers.mjs';
import { createTable } from './tables.mjs';

const WINDOWS = Number(process.env.BENCH_AB_WINDOWS ?? 5);
const SECONDS = Number(process.env.BENCH_AB_SECONDS ?? 3);
const KEYS = 1000;
const VALUE = 'v'.repeat(100);
const KVHTTP = fileURLToPath(new URL('./gofr/bin/kvhttp', import.meta.url));

/** @typedef {{ name: string, main?: string, env: Record<string, string> }} Variant */
/** @typedef {Variant & { url: string, cpu(): Promise<number>, stop(): void, exited: Promise<unknown> }} Running */

/** @param {string} spec @returns {Variant} */
function variantOf(spec) {
  if (spec === 'go') return { name: 'go', env: {} };
  const [name, rest] = spec.split(/=(.*)/s);
  const [main, envText = ''] = (rest ?? '').split(/:(.*)/s);
  if (!name || !main) throw new Error(`A variant is name=<main.js>[:ENV=value,...] or go (got '${spec}').`);
  const env = Object.fromEntries(envText.split(',').filter(Boolean).map((pair) => /** @type {[string, string]} */ (pair.split(/=(.*)/s).slice(0, 2))));
  return { name, main: resolve(main), env };
}

/** Starts a variant and waits (bounded: 30 s) until it answers. @param {string} endpoint @param {Variant} variant @returns {Promise<Running>} */
async function start(endpoint, variant) {
  const port = await freePort();
  const child =
    variant.main === undefined
      ? spawn(KVHTTP, ['-endpoint', endpoint, '-table', 'bench-gofr', '-port', String(port)], { stdio: ['ignore', 'ignore', 'ignore'] })
      : spawn(process.execPath, [variant.main], {
          env: {
            PATH: process.env.PATH ?? '',
            HOST: '127.0.0.1',
            PORT: String(port),
            DYNAMODB_ENDPOINT: endpoint,
            KV_TABLE: 'bench-sample',
            LOG_LEVEL: 'warn',
            KV_RATE_LIMIT: 'off',
            KV_KEY_COUNT_CRON: 'off',
            AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
            ...variant.env,
          },
          stdio: ['ignore', 'ignore', 'inherit'],
        });
  const exited = new Promise((done) => child.once('exit', done));
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 300; attempt += 1) {
    if (await fetch(`${url}/health`).then((response) => response.ok, () => false)) {
      const cpu = () => treeCpuMicros(child.pid ?? 0);
      return { ...variant, url, cpu, stop: () => child.kill('SIGTERM'), exited };
    }
    await new Promise((done) => setTimeout(done, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`${variant.name} did not answer /health within 30 s.`);
}

const variants = process.argv.slice(2).map(variantOf);
if (variants.length === 0) throw new Error('Name the variants: name=<main.js>[:ENV=value,...] or go.');
const server = await startInstantServer();
/** @type {Running[]} */
const running = [];
try {
  const client = new DynamoDBClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } });
  await createTable(client, 'bench-gofr', 'pk');
  client.destroy();
  for (const variant of variants) running.push(await start(server.endpoint, variant));
  for (const app of running) {
    for (let index = 0; index < KEYS; index += 1) {
      await fetch(`${app.url}/kv/bench-key-${index}`, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: VALUE });
    }
  }
  const empty = () => ({ requests: 0, app: 0, load: 0, store: 0, p50: /** @type {number[]} */ ([]), p99: /** @type {number[]} */ ([]), errors: 0 });
  const stats = new Map(running.map((app) => [app.name, { GET: empty(), PUT: empty() }]));
  for (const method of /** @type {const} */ (['GET', 'PUT'])) {
    for (const app of running) await load(app.url, method, KEYS, 1);
    for (let window = 0; window < WINDOWS; window += 1) {
      console.error(`sample-app A/B: ${method}, window ${window + 1} of ${WINDOWS} ...`);
      for (const app of window % 2 === 0 ? running : [...running].reverse()) {
        const [appBefore, storeBefore, loadBefore] = [await app.cpu(), (await processCpuMicros(server.pid)) ?? 0, process.cpuUsage()];
        const result = await load(app.url, method, KEYS, SECONDS);
        const loadCpu = process.cpuUsage(loadBefore);
        const [appAfter, storeAfter] = [await app.cpu(), (await processCpuMicros(server.pid)) ?? 0];
        const entry = stats.get(app.name)?.[method];
        if (!entry) continue;
        entry.requests += result.requests.total;
        entry.app += appAfter - appBefore;
        entry.store += storeAfter - storeBefore;
        entry.load += loadCpu.user + loadCpu.system;
        entry.p50.push(result.latency.p50);
        entry.p99.push(result.latency.p99);
        entry.errors += result.errors + result.non2xx;
      }
    }
  }
  const median = (/** @type {number[]} */ values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
  const lines = [
    `${WINDOWS} windows of ${SECONDS} s per variant and method, interleaved; Node ${process.version}.`,
    '',
    '| variant | method | req/s | p50 | p99 | app CPU µs/request | load generator µs/request | instant server µs/request | errors |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const [name, byMethod] of stats) {
    for (const method of /** @type {const} */ (['GET', 'PUT'])) {
      const entry = byMethod[method];
      const per = (/** @type {number} */ micros) => (micros / Math.max(1, entry.requests)).toFixed(1);
      lines.push(
        `| ${name} | ${method} | ${Math.round(entry.requests / (WINDOWS * SECONDS))} | ${median(entry.p50)} ms | ${median(entry.p99)} ms | ${per(entry.app)} | ${per(entry.load)} | ${per(entry.store)} | ${entry.errors} |`,
      );
    }
  }
  console.log(lines.join('\n'));
} finally {
  for (const app of running) app.stop();
  await Promise.race([Promise.all(running.map((app) => app.exited)), new Promise((done) => setTimeout(done, 15_000))]);
  server.stop();
}
