#!/usr/bin/env node
// @ts-check
/**
 * npm run bench: the store against the raw AWS SDK, with automatic batching off and on.
 *
 * - Servers, each in its own process: the instant server (answers from memory, so the client's cost
 *   shows), dynalite, Amazon DynamoDB Local (when Java and Maven are there); or only DYNAMODB_ENDPOINT.
 * - get and set at 1 and 64 concurrent callers: raw SDK (one command per call), store batching off,
 *   store batching on; BENCH_OPS operations a run (default 3000), rounds interleaved, median of 3.
 * - Keyv: this package's KeyvKvStore against @keyv/dynamo, through Keyv, get and set at 1 and 64 callers.
 * - The sample app under HTTP load (autocannon, 64 connections), batching on and off.
 * - Memory: RSS after BENCH_MEMORY_OPS gets (default 1,000,000) against RSS after 10,000.
 * Writes bench/results.md. Every loop is bounded; everything runs on 127.0.0.1.
 */
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { NestFactory } from '@nestjs/core';
import { writeFile } from 'node:fs/promises';
import { DynamoKvModule, KV_STORE } from 'nestjs-dynamodb-kv';
import { benchKeyv } from './keyv-cases.mjs';
import { median, measure } from './measure.mjs';
import { resultsMarkdown } from './report.mjs';
import { loadSampleApp } from './sample-app-load.mjs';
import { startDynalite, startDynamoDbLocal, startInstantServer } from './servers.mjs';
import { createTable } from './tables.mjs';

process.env.AWS_EC2_METADATA_DISABLED = 'true';
const OPS = Number(process.env.BENCH_OPS ?? 3000);
const MEMORY_OPS = Number(process.env.BENCH_MEMORY_OPS ?? 1_000_000);
const ROUNDS = 3;
const KEYS = 1000;
const VALUE = 'v'.repeat(100);
const TABLE = 'bench';
const credentials = { accessKeyId: 'bench', secretAccessKey: 'bench' };
const region = 'us-east-1';
const key = (/** @type {number} */ index) => `bench-key-${index % KEYS}`;

/** @typedef {import('./measure.mjs').RunResult} RunResult */
/** @typedef {{ op: 'get' | 'set', callers: number, variant: 'raw SDK' | 'batching off' | 'batching on' }} Case */

/** @param {string} endpoint */
async function prepareTable(endpoint) {
  const client = new DynamoDBClient({ endpoint, region, credentials });
  await createTable(client, TABLE, 'pk');
  for (let index = 0; index < KEYS; index += 1) {
    await client.send(new PutItemCommand({ TableName: TABLE, Item: { pk: { S: key(index) }, value: { S: VALUE } } }));
  }
  client.destroy();
}

/** @param {string} endpoint @param {boolean} enabled */
async function openStore(endpoint, enabled) {
  const app = await NestFactory.createApplicationContext(
    DynamoKvModule.forRoot({ table: TABLE, endpoint, region, credentials, batching: { enabled } }),
    { logger: false },
  );
  /** @type {import('nestjs-dynamodb-kv').KVStore} */
  const store = app.get(KV_STORE);
  return { store, close: () => app.close() };
}

/**
 * Every case against one server, rounds interleaved; the median of each.
 * @param {string} endpoint @returns {Promise<Array<Case & RunResult>>}
 */
async function benchServer(endpoint) {
  await prepareTable(endpoint);
  const raw = new DynamoDBClient({ endpoint, region, credentials });
  const off = await openStore(endpoint, false);
  const on = await openStore(endpoint, true);
  /** @type {Record<Case['variant'], Record<Case['op'], (index: number) => Promise<unknown>>>} */
  const ops = {
    'raw SDK': {
      get: (index) => raw.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: key(index) } } })),
      set: (index) => raw.send(new PutItemCommand({ TableName: TABLE, Item: { pk: { S: key(index) }, value: { S: VALUE } } })),
    },
    'batching off': { get: (index) => off.store.get(key(index)), set: (index) => off.store.set(key(index), VALUE) },
    'batching on': { get: (index) => on.store.get(key(index)), set: (index) => on.store.set(key(index), VALUE) },
  };
  /** @type {Case[]} */
  const cases = [];
  for (const op of /** @type {const} */ (['get', 'set'])) {
    for (const callers of [1, 64]) {
      for (const variant of /** @type {const} */ (['raw SDK', 'batching off', 'batching on'])) cases.push({ op, callers, variant });
    }
  }
  /** @type {RunResult[][]} */
  const runs = cases.map(() => []);
  for (let round = 1; round <= ROUNDS; round += 1) {
    for (const [index, benchCase] of cases.entries()) {
      runs[index]?.push(await measure(ops[benchCase.variant][benchCase.op], { ops: OPS, callers: benchCase.callers, warmup: 200 }));
    }
  }
  raw.destroy();
  await off.close();
  await on.close();
  return cases.map((benchCase, index) => ({ ...benchCase, ...median(runs[index] ?? []) }));
}

/** RSS after 10,000 and after MEMORY_OPS gets (batching on, 64 callers), each after a full GC. @param {string} endpoint */
async function memoryGrowth(endpoint) {
  const gc = /** @type {{ gc?: () => void }} */ (globalThis).gc;
  const on = await openStore(endpoint, true);
  const rssAfter = async (/** @type {number} */ ops) => {
    await measure((index) => on.store.get(key(index)), { ops, callers: 64, warmup: 0 });
    gc?.();
    return process.memoryUsage.rss() / 1024 / 1024;
  };
  const early = await rssAfter(10_000);
  const late = await rssAfter(MEMORY_OPS - 10_000);
  await on.close();
  return { earlyMb: early, lateMb: late, ops: MEMORY_OPS, gc: gc !== undefined };
}

const servers = [];
if (process.env.DYNAMODB_ENDPOINT) {
  servers.push({ name: `DYNAMODB_ENDPOINT (${process.env.DYNAMODB_ENDPOINT})`, endpoint: process.env.DYNAMODB_ENDPOINT, stop: () => {} });
} else {
  servers.push(await startInstantServer(), await startDynalite());
  const local = await startDynamoDbLocal();
  if (local) servers.push(local);
  else console.error('DynamoDB Local skipped: it needs Java 17+ and Maven on PATH.');
}

/** @type {Array<{ server: string, rows: Array<Case & RunResult>, keyv: Array<import('./keyv-cases.mjs').KeyvCase & RunResult> }>} */
const results = [];
try {
  for (const server of servers) {
    console.error(`bench: ${server.name} ...`);
    const rows = await benchServer(server.endpoint);
    console.error(`bench: ${server.name}, Keyv adapters ...`);
    const keyv = await benchKeyv({ endpoint: server.endpoint, table: TABLE, region, credentials, keys: KEYS, value: VALUE, ops: OPS, rounds: ROUNDS });
    results.push({ server: server.name, rows, keyv });
  }
  const loadTarget = servers[0];
  if (!loadTarget) throw new Error('No server to run against.');
  console.error(`bench: the sample app under load, against ${loadTarget.name} ...`);
  const sampleApp = {
    server: loadTarget.name,
    off: await loadSampleApp(loadTarget.endpoint, false, { keys: KEYS, seconds: 5 }),
    on: await loadSampleApp(loadTarget.endpoint, true, { keys: KEYS, seconds: 5 }),
  };
  console.error(`bench: memory over ${MEMORY_OPS} gets ...`);
  const memory = await memoryGrowth(loadTarget.endpoint);
  const markdown = resultsMarkdown({ results, sampleApp, memory, ops: OPS, rounds: ROUNDS });
  await writeFile(new URL('./results.md', import.meta.url), markdown);
  console.log(markdown);
} finally {
  for (const server of servers) server.stop();
}
