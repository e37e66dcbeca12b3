#!/usr/bin/env node
// @ts-check
/**
 * npm run bench: throughput and latency of the store against a DynamoDB-protocol server, next to the raw
 * SDK calls it makes, so that the library's own cost (validation, metrics, logging, no-op spans) shows.
 * Server: DYNAMODB_ENDPOINT if set, else dynalite in a worker thread (as the sample app runs it).
 * Bounded: two passes (the second is reported) of BENCH_OPS operations per case (default 2000), each
 * after 500 warm-up operations.
 */
import { DeleteTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { NestFactory } from '@nestjs/core';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoKvModule, KV_STORE } from 'nestjs-dynamodb-kv';
import { startEmbeddedDynamoDb } from '../../sample-app/dist/storage/embedded-dynamodb.js';
import { ensureTable } from '../../sample-app/dist/storage/ensure-table.js';

const OPS = Number(process.env.BENCH_OPS ?? 2000);
const WARMUP = 500;
const CONCURRENCY = [1, 16];
const VALUE = 'v'.repeat(100);
const TABLE = `bench-${process.pid}`;
const credentials = { accessKeyId: 'bench', secretAccessKey: 'bench' };
const region = 'us-east-1';

/**
 * Runs `op` OPS times with `concurrency` callers and returns ops/s and latency percentiles in ms.
 * @param {(i: number) => Promise<unknown>} op
 * @param {number} concurrency
 */
async function measure(op, concurrency) {
  for (let i = 0; i < WARMUP; i += 1) await op(i);
  const latencies = new Float64Array(OPS);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < OPS; i = next++) {
        const t0 = performance.now();
        await op(i);
        latencies[i] = performance.now() - t0;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort();
  const at = (/** @type {number} */ q) => latencies[Math.min(OPS - 1, Math.floor(q * OPS))].toFixed(2);
  return { 'ops/s': Math.round(OPS / seconds), 'p50 ms': at(0.5), 'p99 ms': at(0.99) };
}

const dataDir = process.env.DYNAMODB_ENDPOINT ? undefined : await mkdtemp(join(tmpdir(), 'kv-bench-'));
const embedded = dataDir ? await startEmbeddedDynamoDb(dataDir) : undefined;
const endpoint = process.env.DYNAMODB_ENDPOINT ?? embedded?.endpoint ?? '';
const client = new DynamoDBClient({ endpoint, region, credentials });
await ensureTable(client, TABLE);

const app = await NestFactory.createApplicationContext(
  DynamoKvModule.forRoot({ table: TABLE, endpoint, region, credentials }),
  { logger: false },
);
/** @type {import('nestjs-dynamodb-kv').KVStore} */
const store = app.get(KV_STORE);
const key = (/** @type {number} */ i) => `bench-key-${i % 500}`;
for (let i = 0; i < 500; i += 1) await store.set(key(i), VALUE);

const cases = {
  'raw SDK PutItem': (/** @type {number} */ i) =>
    client.send(new PutItemCommand({ TableName: TABLE, Item: { pk: { S: key(i) }, value: { S: VALUE } } })),
  'store.set': (/** @type {number} */ i) => store.set(key(i), VALUE),
  'raw SDK GetItem': (/** @type {number} */ i) =>
    client.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: key(i) } } })),
  'store.get': (/** @type {number} */ i) => store.get(key(i)),
};

console.log(`nestjs-dynamodb-kv bench: ${OPS} ops per case, ${VALUE.length}-byte values, server ${process.env.DYNAMODB_ENDPOINT ? endpoint : 'dynalite (worker thread, LevelDB on disk)'}`);
console.log(`node ${process.version}, ${(await import('node:os')).cpus().length} CPUs`);
const rows = {};
// Two passes, keeping the second: the first case of a single pass ran measurably slower (JIT, sockets).
for (const pass of [1, 2]) {
  for (const concurrency of CONCURRENCY) {
    for (const [name, op] of Object.entries(cases)) {
      const result = await measure(op, concurrency);
      if (pass === 2) rows[`${name} x${concurrency}`] = result;
    }
  }
}
console.table(rows);

await app.close();
await client.send(new DeleteTableCommand({ TableName: TABLE }));
client.destroy();
await embedded?.stop();
if (dataDir) await rm(dataDir, { recursive: true, force: true });
