#!/usr/bin/env node
// @ts-check
/**
 * A lone caller's `get` and `set` on the instant server, five ways: the raw SDK (default client), the
 * store's client on its SDK path and on its lean path (StoreClient.send, no store around it), and the
 * store (forRoot defaults) with `dataPlane: 'sdk'` and `'lean'`. Client CPU µs per call
 * (process.cpuUsage) and p50, median of ROUNDS interleaved rounds of BENCH_OPS sequential calls after a
 * warmup. Needs the built package (npm run build:sample), or KV_DIST pointing at a build of lib/ (its
 * esm folder). Run: node bench/lean-data-plane.bench.mjs
 */
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { NestFactory } from '@nestjs/core';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median, measure } from './measure.mjs';
import { startInstantServer } from './servers.mjs';
import { createTable } from './tables.mjs';

process.env.AWS_EC2_METADATA_DISABLED = 'true';
const OPS = Number(process.env.BENCH_OPS ?? 3000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const DIST = process.env.KV_DIST ?? fileURLToPath(new URL('../dist/esm/', import.meta.url));
const TABLE = 'bench';
const VALUE = 'v'.repeat(100);
const KEYS = 100;
const credentials = { accessKeyId: 'bench', secretAccessKey: 'bench' };
const region = 'us-east-1';
const key = (/** @type {number} */ index) => `lean-${index % KEYS}`;

const { DynamoKvModule, KV_STORE } = await import(pathToFileURL(`${DIST}/index.js`).href);
const { clientFor } = await import(pathToFileURL(`${DIST}/client/store-client.js`).href);
const { resolveSettings } = await import(pathToFileURL(`${DIST}/options/dynamo-kv.settings.js`).href);
const { CallSignal } = await import(pathToFileURL(`${DIST}/client/call-signal.js`).href);

const server = await startInstantServer();
const { endpoint } = server;
const setup = new DynamoDBClient({ endpoint, region, credentials });
await createTable(setup, TABLE, 'pk');
for (let index = 0; index < KEYS; index += 1) {
  await setup.send(new PutItemCommand({ TableName: TABLE, Item: { pk: { S: key(index) }, value: { S: VALUE } } }));
}
setup.destroy();

/** @param {'lean' | 'sdk'} dataPlane */
async function openStore(dataPlane) {
  const app = await NestFactory.createApplicationContext(DynamoKvModule.forRoot({ table: TABLE, endpoint, region, credentials, dataPlane }), { logger: false });
  return { store: app.get(KV_STORE), close: () => app.close() };
}

/** @param {'lean' | 'sdk'} dataPlane */
function storeClient(dataPlane) {
  const client = clientFor(resolveSettings({ table: TABLE, endpoint, region, credentials, dataPlane }, 'bench').client);
  if (client.dataPlane !== dataPlane) throw new Error(`asked for the ${dataPlane} path, got ${client.dataPlane}`);
  const signal = new CallSignal();
  return {
    /** @param {GetItemCommand | PutItemCommand} command */
    send: (command) => client.send((/** @type {DynamoDBClient} */ sdk) => sdk.send(/** @type {GetItemCommand} */ (command)), signal),
    close: () => client.client.destroy(),
  };
}

const raw = new DynamoDBClient({ endpoint, region, credentials });
const sdkClient = storeClient('sdk');
const leanClient = storeClient('lean');
const sdkStore = await openStore('sdk');
const leanStore = await openStore('lean');

const getCommand = (/** @type {number} */ index) => new GetItemCommand({ TableName: TABLE, Key: { pk: { S: key(index) } } });
const putCommand = (/** @type {number} */ index) => new PutItemCommand({ TableName: TABLE, Item: { pk: { S: key(index) }, value: { S: VALUE } } });

/** @type {Record<string, Record<'get' | 'set', (index: number) => Promise<unknown>>>} */
const variants = {
  'raw SDK': { get: (i) => raw.send(getCommand(i)), set: (i) => raw.send(putCommand(i)) },
  'store client, SDK path': { get: (i) => sdkClient.send(getCommand(i)), set: (i) => sdkClient.send(putCommand(i)) },
  'store client, lean path': { get: (i) => leanClient.send(getCommand(i)), set: (i) => leanClient.send(putCommand(i)) },
  "store, dataPlane 'sdk'": { get: (i) => sdkStore.store.get(key(i)), set: (i) => sdkStore.store.set(key(i), VALUE) },
  "store, dataPlane 'lean'": { get: (i) => leanStore.store.get(key(i)), set: (i) => leanStore.store.set(key(i), VALUE) },
};

/** @type {Map<string, import('./measure.mjs').RunResult[]>} */
const runs = new Map();
for (let round = 0; round < ROUNDS; round += 1) {
  for (const op of /** @type {const} */ (['get', 'set'])) {
    for (const [name, ops] of Object.entries(variants)) {
      const result = await measure(ops[op], { ops: OPS, callers: 1, warmup: 500 });
      const id = `${op}\t${name}`;
      runs.set(id, [...(runs.get(id) ?? []), result]);
    }
  }
}

console.log(`Node ${process.version}, ${OPS} sequential calls a run, median of ${ROUNDS} interleaved rounds, instant server\n`);
console.log('| op | variant | client CPU µs/call | p50 ms | calls/s |\n| --- | --- | ---: | ---: | ---: |');
for (const [id, results] of runs) {
  const [op, name] = id.split('\t');
  const result = median(results);
  console.log(`| ${op} | ${name} | ${result.cpuMicrosPerOp.toFixed(0)} | ${result.p50Ms.toFixed(3)} | ${result.opsPerSecond.toFixed(0)} |`);
}

raw.destroy();
sdkClient.close();
leanClient.close();
await sdkStore.close();
await leanStore.close();
server.stop();
