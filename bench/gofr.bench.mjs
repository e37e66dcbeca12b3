#!/usr/bin/env node
// @ts-check
/**
 * The GoFr comparison of issue 19: GoFr's DynamoDB driver (copied into bench/gofr/, see its README.md)
 * against the raw AWS SDK v3 and this store (DynamoKvModule.forRoot defaults) on the instant server, and
 * a Go net/http app over that driver against the sample app under HTTP load. Prints a markdown table,
 * with the issue's targets checked against it.
 *
 * - Needs Go on PATH: without it, says so and exits 0. Builds bench/gofr/bin/ (git-ignored) with
 *   `go build`; the first build downloads the AWS SDK for Go and OpenTelemetry from the module proxy.
 * - get and set at 1 and 64 callers, BENCH_OPS operations a run (default 3000), rounds interleaved,
 *   median of 3. The Go runs are bench/gofr/bin/kvbench processes, measuring themselves the same way.
 *   A lone caller also through the store's own client path (its lean path, no store around it: the
 *   package's internal `clientFor`, from the build in dist/), which the store is held to within 5 %.
 * - HTTP: GET and PUT of random preloaded keys at 64 connections for BENCH_HTTP_SECONDS (default 5),
 *   sample app (batching on, its default) and Go app interleaved, median of 3; server CPU from /proc.
 * Every loop is bounded; everything runs on 127.0.0.1.
 */
import { writeFile } from 'node:fs/promises';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { NestFactory } from '@nestjs/core';
import { spawn, spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DynamoKvModule, KV_STORE } from 'nestjs-dynamodb-kv';
import { median, measure } from './measure.mjs';
import { load, loadSampleApp } from './sample-app-load.mjs';
import { processCpuMicros, startInstantServer } from './servers.mjs';
import { createTable } from './tables.mjs';

process.env.AWS_EC2_METADATA_DISABLED = 'true';
const OPS = Number(process.env.BENCH_OPS ?? 3000);
const HTTP_SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 5);
const ROUNDS = 3;
const WARMUP = 200;
const KEYS = 1000;
const VALUE = 'v'.repeat(100);
const TABLE = 'bench';
const GO_APP_TABLE = 'bench-gofr';
const credentials = { accessKeyId: 'bench', secretAccessKey: 'bench' };
const region = 'us-east-1';
const key = (/** @type {number} */ index) => `bench-key-${index % KEYS}`;
const GOFR_DIR = fileURLToPath(new URL('./gofr/', import.meta.url));
const KVBENCH = `${GOFR_DIR}bin/kvbench`;
const KVHTTP = `${GOFR_DIR}bin/kvhttp`;
const DIST = fileURLToPath(new URL('../dist/esm/', import.meta.url));
const { clientFor } = await import(pathToFileURL(`${DIST}client/store-client.js`).href);
const { resolveSettings } = await import(pathToFileURL(`${DIST}options/dynamo-kv.settings.js`).href);
const { CallSignal } = await import(pathToFileURL(`${DIST}client/call-signal.js`).href);

/** @typedef {import('./measure.mjs').RunResult} RunResult */
/** @typedef {import('./sample-app-load.mjs').LoadResult} LoadResult */
/** @typedef {'GoFr (Go)' | 'raw AWS SDK v3' | "the store's client path" | 'this store'} Variant */
/** @typedef {{ op: 'get' | 'set', callers: number }} Case */

/** Go's version line, or undefined when there is no Go on PATH. */
function goVersion() {
  const result = spawnSync('go', ['version'], { encoding: 'utf8' });
  return result.error || result.status !== 0 ? undefined : result.stdout.trim();
}

/** `go build` of both binaries into bench/gofr/bin/ (bounded: 10 minutes, the first build downloads modules). */
function buildGoBinaries() {
  const result = spawnSync('go', ['build', '-o', 'bin/', './cmd/kvbench', './cmd/kvhttp'], { cwd: GOFR_DIR, stdio: 'inherit', timeout: 600_000 });
  if (result.error || result.status !== 0) {
    throw new Error(`go build in bench/gofr failed (${result.error?.message ?? `exit code ${result.status}`}); the first build needs the Go module proxy.`);
  }
}

/**
 * Runs `command args` to completion (bounded), resolving with its stdout; its stderr is dropped (see the
 * README: the AWS SDK for Go warns on every call against the instant server, which sends no CRC32).
 * @param {string} command @param {string[]} args @param {number} timeoutMs
 */
function run(command, args, timeoutMs) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    let stdout = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (chunk) => (stdout += String(chunk)));
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else reject(new Error(`${command} ${args.join(' ')} failed (${signal ?? `exit code ${code}`}):\n${stdout}`));
    });
  });
}

/**
 * One kvbench run: the Go driver measuring itself (its last stdout line is the result).
 * @param {string} endpoint @param {Case} benchCase @returns {Promise<RunResult>}
 */
async function goRun(endpoint, { op, callers }) {
  const args = ['-endpoint', endpoint, '-table', TABLE, '-op', op, '-callers', String(callers), '-ops', String(OPS), '-warmup', String(WARMUP), '-keys', String(KEYS)];
  const stdout = /** @type {string} */ (await run(KVBENCH, args, 300_000));
  const last = stdout.trim().split('\n').at(-1) ?? '';
  return /** @type {RunResult} */ (JSON.parse(last));
}

/** @param {string} endpoint */
async function prepareTables(endpoint) {
  const client = new DynamoDBClient({ endpoint, region, credentials });
  await createTable(client, TABLE, 'pk');
  await createTable(client, GO_APP_TABLE, 'pk');
  for (let index = 0; index < KEYS; index += 1) {
    await client.send(new PutItemCommand({ TableName: TABLE, Item: { pk: { S: key(index) }, value: { S: VALUE } } }));
  }
  client.destroy();
}

/** The store as an app builds it with forRoot and its defaults (batching on). @param {string} endpoint */
async function openStore(endpoint) {
  const app = await NestFactory.createApplicationContext(DynamoKvModule.forRoot({ table: TABLE, endpoint, region, credentials }), { logger: false });
  /** @type {import('nestjs-dynamodb-kv').KVStore} */
  const store = app.get(KV_STORE);
  return { store, close: () => app.close() };
}

/**
 * Every client case, rounds interleaved; the median of each.
 * @param {string} endpoint @returns {Promise<Array<Case & { variant: Variant } & RunResult>>}
 */
async function benchClients(endpoint) {
  const raw = new DynamoDBClient({ endpoint, region, credentials });
  const { store, close } = await openStore(endpoint);
  const storeClient = clientFor(resolveSettings({ table: TABLE, endpoint, region, credentials }, 'bench').client);
  if (storeClient.dataPlane !== 'lean') throw new Error(`The store's client takes the ${storeClient.dataPlane} path, not the lean one.`);
  const never = new CallSignal();
  const viaStoreClient = (/** @type {GetItemCommand | PutItemCommand} */ command) =>
    storeClient.send((/** @type {DynamoDBClient} */ client) => client.send(/** @type {GetItemCommand} */ (command)), never);
  /** @type {Record<Exclude<Variant, 'GoFr (Go)'>, Record<Case['op'], (index: number) => Promise<unknown>>>} */
  const ops = {
    'raw AWS SDK v3': {
      get: (index) => raw.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: key(index) } } })),
      set: (index) => raw.send(new PutItemCommand({ TableName: TABLE, Item: { pk: { S: key(index) }, value: { S: VALUE } } })),
    },
    "the store's client path": {
      get: (index) => viaStoreClient(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: key(index) } } })),
      set: (index) => viaStoreClient(new PutItemCommand({ TableName: TABLE, Item: { pk: { S: key(index) }, value: { S: VALUE } } })),
    },
    'this store': { get: (index) => store.get(key(index)), set: (index) => store.set(key(index), VALUE) },
  };
  /** @type {Array<Case & { variant: Variant }>} */
  const cases = [];
  for (const op of /** @type {const} */ (['get', 'set'])) {
    for (const callers of [1, 64]) {
      for (const variant of /** @type {const} */ (['GoFr (Go)', 'raw AWS SDK v3', "the store's client path", 'this store'])) {
        // Concurrent callers of the bare client path would measure no batching: only a lone caller's cost is compared.
        if (callers === 1 || variant !== "the store's client path") cases.push({ op, callers, variant });
      }
    }
  }
  /** @type {RunResult[][]} */
  const runs = cases.map(() => []);
  try {
    for (let round = 1; round <= ROUNDS; round += 1) {
      console.error(`gofr bench: client cases, round ${round} of ${ROUNDS} ...`);
      for (const [index, benchCase] of cases.entries()) {
        const result =
          benchCase.variant === 'GoFr (Go)'
            ? await goRun(endpoint, benchCase)
            : await measure(ops[benchCase.variant][benchCase.op], { ops: OPS, callers: benchCase.callers, warmup: WARMUP });
        runs[index]?.push(result);
      }
    }
  } finally {
    raw.destroy();
    storeClient.client.destroy();
    await close();
  }
  return cases.map((benchCase, index) => ({ ...benchCase, ...median(runs[index] ?? []) }));
}

/** Starts the Go app on `endpoint`; resolves once it prints its URL (bounded: 30 s). @param {string} endpoint */
function startGoApp(endpoint) {
  const child = spawn(KVHTTP, ['-endpoint', endpoint, '-table', GO_APP_TABLE], { stdio: ['ignore', 'pipe', 'ignore'] });
  return /** @type {Promise<{ url: string, pid: number, stop(): void }>} */ (
    new Promise((resolve, reject) => {
      let output = '';
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`kvhttp did not print its URL within 30 s:\n${output}`));
      }, 30_000);
      child.stdout.on('data', (chunk) => {
        output += String(chunk);
        const url = /listening (http:\/\/\S+)/.exec(output)?.[1];
        if (!url) return;
        clearTimeout(timer);
        resolve({ url, pid: child.pid ?? 0, stop: () => child.kill('SIGTERM') });
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`kvhttp exited with code ${code} before it listened:\n${output}`));
      });
    })
  );
}

/**
 * The Go app under the load loadSampleApp puts on the sample app: preload, then GET and PUT, each after a
 * 1 s warm-up, with the app's CPU from /proc before and after.
 * @param {string} endpoint @returns {Promise<Record<'GET' | 'PUT', LoadResult>>}
 */
async function loadGoApp(endpoint) {
  const app = await startGoApp(endpoint);
  try {
    for (let index = 0; index < KEYS; index += 1) {
      await fetch(`${app.url}/kv/bench-key-${index}`, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: VALUE });
    }
    /** @type {Partial<Record<'GET' | 'PUT', LoadResult>>} */
    const results = {};
    for (const method of /** @type {const} */ (['GET', 'PUT'])) {
      await load(app.url, method, KEYS, 1);
      const cpuBefore = (await processCpuMicros(app.pid)) ?? 0;
      const result = await load(app.url, method, KEYS, HTTP_SECONDS);
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

/** @param {LoadResult[]} runs @returns {LoadResult} */
function medianLoad(runs) {
  const mid = (/** @type {number[]} */ values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
  return {
    requestsPerSecond: mid(runs.map((run) => run.requestsPerSecond)),
    p50Ms: mid(runs.map((run) => run.p50Ms)),
    p99Ms: mid(runs.map((run) => run.p99Ms)),
    serverCpuMicrosPerRequest: mid(runs.map((run) => run.serverCpuMicrosPerRequest)),
    errors: runs.reduce((sum, run) => sum + run.errors, 0),
  };
}

/**
 * The sample app and the Go app, interleaved, median of ROUNDS.
 * @param {string} endpoint @returns {Promise<Record<'sample app' | 'Go app', Record<'GET' | 'PUT', LoadResult>>>}
 */
async function benchHttp(endpoint) {
  /** @type {Record<'sample app' | 'Go app', Array<Record<'GET' | 'PUT', LoadResult>>>} */
  const runs = { 'sample app': [], 'Go app': [] };
  for (let round = 1; round <= ROUNDS; round += 1) {
    console.error(`gofr bench: HTTP, round ${round} of ${ROUNDS} ...`);
    runs['sample app'].push(await loadSampleApp(endpoint, true, { keys: KEYS, seconds: HTTP_SECONDS }));
    runs['Go app'].push(await loadGoApp(endpoint));
  }
  const byMethod = (/** @type {Array<Record<'GET' | 'PUT', LoadResult>>} */ results) => ({
    GET: medianLoad(results.map((result) => result.GET)),
    PUT: medianLoad(results.map((result) => result.PUT)),
  });
  return { 'sample app': byMethod(runs['sample app']), 'Go app': byMethod(runs['Go app']) };
}

const number = (/** @type {number} */ value, digits = 0) => value.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/**
 * @param {Array<Case & { variant: Variant } & RunResult>} rows
 * @param {Record<'sample app' | 'Go app', Record<'GET' | 'PUT', LoadResult>>} http
 * @param {string} go
 */
function markdown(rows, http, go) {
  const find = (/** @type {string} */ op, /** @type {number} */ callers, /** @type {Variant} */ variant) => {
    const row = rows.find((candidate) => candidate.op === op && candidate.callers === callers && candidate.variant === variant);
    if (!row) throw new Error(`No result for ${op} ×${callers} ${variant}.`);
    return row;
  };
  const cpu = cpus();
  const lines = [
    `# GoFr comparison (issue 19), ${new Date().toISOString().slice(0, 10)}`,
    '',
    `${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}; Node ${process.version}; ${go}. Instant server; ${OPS} operations a run, ` +
      `${WARMUP} warm-up, 100-byte values, ${KEYS} keys, rounds interleaved, median of ${ROUNDS}. Client CPU: user + system of the ` +
      'measuring process over the measured window (getrusage in Go, process.cpuUsage in Node). The store: `DynamoKvModule.forRoot` defaults.',
    '',
    "| case | GoFr (Go) | raw AWS SDK v3 | the store's client path | this store | store / GoFr | store / raw SDK |",
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  /** @type {Array<[keyof RunResult, string, (value: number) => string]>} */
  const fields = [
    ['opsPerSecond', 'ops/s', (value) => number(value)],
    ['cpuMicrosPerOp', 'client CPU µs/op', (value) => number(value)],
    ['p50Ms', 'p50', (value) => `${number(value, 2)} ms`],
    ['p99Ms', 'p99', (value) => `${number(value, 2)} ms`],
  ];
  for (const callers of [1, 64]) {
    for (const op of ['get', 'set']) {
      const [gofr, raw, store] = [find(op, callers, 'GoFr (Go)'), find(op, callers, 'raw AWS SDK v3'), find(op, callers, 'this store')];
      const clientPath = callers === 1 ? find(op, callers, "the store's client path") : undefined;
      for (const [field, label, format] of fields) {
        lines.push(
          `| ${callers === 1 ? '1 caller' : `${callers} callers`} \`${op}\`: ${label} | ${format(gofr[field])} | ${format(raw[field])} | ` +
            `${clientPath ? format(clientPath[field]) : ''} | ${format(store[field])} | ` +
            `${number(store[field] / gofr[field], 2)} | ${number(store[field] / raw[field], 2)} |`,
        );
      }
    }
  }
  for (const method of /** @type {const} */ (['GET', 'PUT'])) {
    const goApp = http['Go app'][method];
    const sample = http['sample app'][method];
    /** @type {Array<[keyof LoadResult, string, (value: number) => string]>} */
    const loadFields = [
      ['requestsPerSecond', 'req/s', (value) => number(value)],
      ['p99Ms', 'p99', (value) => `${number(value, 1)} ms`],
      ['serverCpuMicrosPerRequest', 'server CPU µs/request', (value) => number(value)],
    ];
    for (const [field, label, format] of loadFields) {
      lines.push(`| HTTP ${method}, 64 connections: ${label} | ${format(goApp[field])} | | | ${format(sample[field])} | ${number(sample[field] / goApp[field], 2)} | |`);
    }
  }
  const errors = http['Go app'].GET.errors + http['Go app'].PUT.errors + http['sample app'].GET.errors + http['sample app'].PUT.errors;
  lines.push(
    '',
    `HTTP: autocannon in this process, 64 connections, ${HTTP_SECONDS} s after a 1 s warm-up, random keys of ${KEYS}; "GoFr (Go)" is bench/gofr/bin/kvhttp ` +
      `(net/http over GoFr's driver), "this store" the sample app (batching on, request logs off); server CPU from /proc. Errors and non-2xx answers: ${errors}.`,
    '',
    '## Targets (issue 19)',
    '',
    '| target | measured | met |',
    '| --- | ---: | --- |',
  );
  /** @type {Array<[string, string, boolean | undefined]>} */
  const checks = [];
  for (const op of ['get', 'set']) {
    const store = find(op, 1, 'this store');
    const gofr = find(op, 1, 'GoFr (Go)');
    const clientPath = find(op, 1, "the store's client path");
    checks.push(
      [`1 caller \`${op}\`: client CPU ≤ 300 µs per call`, `${number(store.cpuMicrosPerOp)} µs`, store.cpuMicrosPerOp <= 300],
      [`1 caller \`${op}\`: p50 ≤ GoFr's`, `${number(store.p50Ms / gofr.p50Ms, 2)} ×`, store.p50Ms <= gofr.p50Ms],
      [
        `1 caller \`${op}\`: client CPU within 5 % of the client path it uses (its lean path)`,
        `${number(store.cpuMicrosPerOp / clientPath.cpuMicrosPerOp, 2)} ×`,
        store.cpuMicrosPerOp <= 1.05 * clientPath.cpuMicrosPerOp,
      ],
    );
  }
  const store64 = find('get', 64, 'this store');
  const gofr64 = find('get', 64, 'GoFr (Go)');
  checks.push(
    ['64 callers `get`: client CPU ≤ 25 µs per call', `${number(store64.cpuMicrosPerOp)} µs`, store64.cpuMicrosPerOp <= 25],
    ['64 callers `get`: ops/s ≥ 4 × GoFr\'s', `${number(store64.opsPerSecond / gofr64.opsPerSecond, 2)} ×`, store64.opsPerSecond >= 4 * gofr64.opsPerSecond],
  );
  for (const method of /** @type {const} */ (['GET', 'PUT'])) {
    const sample = http['sample app'][method];
    const ratio = sample.requestsPerSecond / http['Go app'][method].requestsPerSecond;
    checks.push(
      [`Sample app ${method}, 64 connections: req/s ≥ 1.5 × the Go app's`, `${number(ratio, 2)} ×`, ratio >= 1.5],
      [`Sample app ${method}: server CPU ≤ 150 µs per request`, `${number(sample.serverCpuMicrosPerRequest)} µs`, sample.serverCpuMicrosPerRequest <= 150],
      [`Sample app ${method}: p99 no worse than today (no baseline in the issue: compare bench/results.md)`, `${number(sample.p99Ms, 1)} ms`, undefined],
    );
  }
  // With 2 cores the load generator and the server compete with the workers: see docs/performance.md.
  checks.push(['node:cluster on both cores: sample app req/s ≥ 1.7 × one process', 'bench/sample-app-cluster.bench.mjs, on 4+ cores', undefined]);
  lines.push(...checks.map(([target, measured, met]) => `| ${target} | ${measured} | ${met === undefined ? '—' : met ? 'yes' : '**no**'} |`), '');
  return lines.join('\n');
}

const go = goVersion();
if (!go) {
  console.error('GoFr comparison skipped: no Go toolchain on PATH (`go version` failed). Install Go 1.26+ to run bench/gofr.');
} else {
  console.error(`gofr bench: building bench/gofr with ${go} ...`);
  buildGoBinaries();
  const server = await startInstantServer();
  try {
    await prepareTables(server.endpoint);
    const rows = await benchClients(server.endpoint);
    const http = await benchHttp(server.endpoint);
    const report = markdown(rows, http, go);
    await writeFile(new URL('./gofr-results.md', import.meta.url), `${report}\n`);
    console.log(report);
  } finally {
    server.stop();
  }
}
