#!/usr/bin/env node
// @ts-check
/**
 * What the store adds to a lone call over the client path it sends through (its lean path, with no store
 * around it): `get` and `set` on the instant server, the two alternated call by call, so that this
 * machine's background load, which moves by more than the difference, falls on both alike. Prints the
 * quartiles of each one's latency (a lone call's latency is mostly its client CPU), the store's extra µs
 * per call, and the store with automatic batching off and with metrics off, to show where they go.
 * Needs the built package (npm run build:sample). Run: node bench/store-overhead.bench.mjs
 */
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { NestFactory } from '@nestjs/core';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startInstantServer } from './servers.mjs';
import { createTable } from './tables.mjs';

process.env.AWS_EC2_METADATA_DISABLED = 'true';
const CALLS = Number(process.env.BENCH_OPS ?? 20000);
const WARMUP = 2000;
const DIST = fileURLToPath(new URL('../dist/esm/', import.meta.url));
const TABLE = 'bench';
const VALUE = 'v'.repeat(100);
const credentials = { accessKeyId: 'bench', secretAccessKey: 'bench' };
const region = 'us-east-1';

const { DynamoKvModule, KV_STORE } = await import(pathToFileURL(`${DIST}index.js`).href);
const { clientFor } = await import(pathToFileURL(`${DIST}client/store-client.js`).href);
const { resolveSettings } = await import(pathToFileURL(`${DIST}options/dynamo-kv.settings.js`).href);
const { CallSignal } = await import(pathToFileURL(`${DIST}client/call-signal.js`).href);

const server = await startInstantServer();
const { endpoint } = server;
const setup = new DynamoDBClient({ endpoint, region, credentials });
await createTable(setup, TABLE, 'pk');
await setup.send(new PutItemCommand({ TableName: TABLE, Item: { pk: { S: 'k' }, value: { S: VALUE } } }));
setup.destroy();

/** @type {Array<() => Promise<void>>} */
const closers = [];
/** @param {object} options */
async function openStore(options) {
  const app = await NestFactory.createApplicationContext(DynamoKvModule.forRoot({ table: TABLE, endpoint, region, credentials, ...options }), { logger: false });
  closers.push(() => app.close());
  /** @type {import('nestjs-dynamodb-kv').KVStore} */
  const store = app.get(KV_STORE);
  return store;
}

const client = clientFor(resolveSettings({ table: TABLE, endpoint, region, credentials }, 'bench').client);
if (client.dataPlane !== 'lean') throw new Error(`The store's client takes the ${client.dataPlane} path, not the lean one.`);
closers.push(async () => client.client.destroy());
const never = new CallSignal();
const viaClient = (/** @type {GetItemCommand | PutItemCommand} */ command) =>
  client.send((/** @type {DynamoDBClient} */ sdk) => sdk.send(/** @type {GetItemCommand} */ (command)), never);

const stores = {
  'the store (forRoot defaults)': await openStore({}),
  'the store, batching off': await openStore({ batching: false }),
  'the store, metrics off': await openStore({ metrics: { enabled: false } }),
};
/** @type {Record<'get' | 'set', Record<string, () => Promise<unknown>>>} */
const variants = {
  get: {
    "the store's client path": () => viaClient(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: 'k' } } })),
    ...Object.fromEntries(Object.entries(stores).map(([name, store]) => [name, () => store.get('k')])),
  },
  set: {
    "the store's client path": () => viaClient(new PutItemCommand({ TableName: TABLE, Item: { pk: { S: 'k' }, value: { S: VALUE } } })),
    ...Object.fromEntries(Object.entries(stores).map(([name, store]) => [name, () => store.set('k', VALUE)])),
  },
};

console.log(`Node ${process.version}, instant server, ${CALLS} calls each after ${WARMUP} warm-up, alternated call by call; latency in µs\n`);
console.log('| op | path | p25 | p50 | p75 | p50 over the client path |\n| --- | --- | ---: | ---: | ---: | ---: |');
try {
  for (const [op, paths] of Object.entries(variants)) {
    const names = Object.keys(paths);
    const latencies = names.map(() => new Float64Array(CALLS));
    for (let call = 0; call < WARMUP + CALLS; call += 1) {
      for (const [index, name] of names.entries()) {
        const started = performance.now();
        await paths[name]?.();
        if (call >= WARMUP) latencies[index][call - WARMUP] = (performance.now() - started) * 1000;
      }
    }
    const at = (/** @type {Float64Array} */ sorted, /** @type {number} */ quantile) => sorted[Math.floor(quantile * (sorted.length - 1))] ?? 0;
    const sorted = latencies.map((values) => values.sort());
    const base = at(sorted[0] ?? new Float64Array(1), 0.5);
    for (const [index, name] of names.entries()) {
      const values = sorted[index] ?? new Float64Array(1);
      const p50 = at(values, 0.5);
      const over = index === 0 ? '' : `+${(p50 - base).toFixed(0)} µs (${((p50 / base - 1) * 100).toFixed(0)} %)`;
      console.log(`| ${op} | ${name} | ${at(values, 0.25).toFixed(0)} | ${p50.toFixed(0)} | ${at(values, 0.75).toFixed(0)} | ${over} |`);
    }
  }
} finally {
  for (const close of closers) await close();
  server.stop();
}
