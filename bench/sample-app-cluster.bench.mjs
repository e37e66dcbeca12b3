#!/usr/bin/env node
// @ts-check
/**
 * The sample app on node:cluster (sample-app/dist/cluster.js, KV_WORKERS=BENCH_WORKERS, default 2) against
 * one process (sample-app/dist/main.js), on the instant server: GET and PUT of random preloaded keys at 64
 * connections for BENCH_HTTP_SECONDS (default 5), rounds interleaved, median of 3. Prints a markdown table
 * with where the machine's CPU went: the app (all its processes), the load generator (autocannon, in this
 * process) and the instant server, per request, and how many cores they kept busy together. On a machine
 * with few cores the load generator and the server take cores the workers would need: read the
 * "cores busy" column before the ratio. Needs `npm run build:sample` first. Everything on 127.0.0.1.
 */
import { availableParallelism, cpus } from 'node:os';
import { loadSampleApp } from './sample-app-load.mjs';
import { startInstantServer } from './servers.mjs';

const WORKERS = Number(process.env.BENCH_WORKERS ?? 2);
const SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 5);
const ROUNDS = 3;
const KEYS = 1000;

/** @typedef {import('./sample-app-load.mjs').LoadResult} LoadResult */

/** @param {LoadResult[]} runs @returns {LoadResult} */
function median(runs) {
  /** @param {(run: LoadResult) => number} field */
  const mid = (field) => runs.map(field).sort((a, b) => a - b)[Math.floor(runs.length / 2)] ?? 0;
  return {
    requestsPerSecond: mid((run) => run.requestsPerSecond),
    p50Ms: mid((run) => run.p50Ms),
    p99Ms: mid((run) => run.p99Ms),
    serverCpuMicrosPerRequest: mid((run) => run.serverCpuMicrosPerRequest),
    loadCpuMicrosPerRequest: mid((run) => run.loadCpuMicrosPerRequest ?? 0),
    storeCpuMicrosPerRequest: mid((run) => run.storeCpuMicrosPerRequest ?? 0),
    errors: runs.reduce((sum, run) => sum + run.errors, 0),
  };
}

const server = await startInstantServer();
/** @type {Record<'one process' | 'cluster', Array<Record<'GET' | 'PUT', LoadResult>>>} */
const runs = { 'one process': [], cluster: [] };
try {
  for (let round = 1; round <= ROUNDS; round += 1) {
    console.error(`cluster bench: round ${round} of ${ROUNDS} ...`);
    const plan = { keys: KEYS, seconds: SECONDS, storePid: server.pid };
    const order = /** @type {const} */ (round % 2 === 1 ? ['one process', 'cluster'] : ['cluster', 'one process']);
    for (const variant of order) {
      runs[variant].push(await loadSampleApp(server.endpoint, true, variant === 'cluster' ? { ...plan, workers: WORKERS } : plan));
    }
  }
} finally {
  server.stop();
}

const number = (/** @type {number} */ value, digits = 0) => value.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const cpu = cpus();
const lines = [
  `# The sample app on node:cluster, ${new Date().toISOString().slice(0, 10)}`,
  '',
  `${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'} (${availableParallelism()} available); Node ${process.version}. Instant server; ` +
    `64 connections, ${SECONDS} s after a 1 s warm-up, random keys of ${KEYS}, rounds interleaved, median of ${ROUNDS}. CPU per request from ` +
    '/proc (the app: primary and workers together) and getrusage (the load generator, this process).',
  '',
  `| case | req/s | ${WORKERS} workers / 1 process | p99 | app CPU µs/request | load generator µs/request | instant server µs/request | cores busy |`,
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
];
for (const method of /** @type {const} */ (['GET', 'PUT'])) {
  const single = median(runs['one process'].map((run) => run[method]));
  for (const [label, result] of /** @type {const} */ ([['1 process', single], [`${WORKERS} workers`, median(runs.cluster.map((run) => run[method]))]])) {
    const perRequest = result.serverCpuMicrosPerRequest + (result.loadCpuMicrosPerRequest ?? 0) + (result.storeCpuMicrosPerRequest ?? 0);
    lines.push(
      `| ${method}, ${label} | ${number(result.requestsPerSecond)} | ${number(result.requestsPerSecond / single.requestsPerSecond, 2)} | ${number(result.p99Ms, 1)} ms | ` +
        `${number(result.serverCpuMicrosPerRequest)} | ${number(result.loadCpuMicrosPerRequest ?? 0)} | ${number(result.storeCpuMicrosPerRequest ?? 0)} | ` +
        `${number((perRequest * result.requestsPerSecond) / 1e6, 2)} |`,
    );
  }
}
const errors = [...runs['one process'], ...runs.cluster].reduce((sum, run) => sum + run.GET.errors + run.PUT.errors, 0);
lines.push('', `Errors and non-2xx answers: ${errors}. Target (issue 19): ${WORKERS} workers ≥ 1.7 × one process, on a machine with cores to spare for the load.`, '');
console.log(lines.join('\n'));
