#!/usr/bin/env node
// @ts-check
/**
 * npm run bench:lease: what a lease costs. On dynalite (the instant server holds no conditions), with a
 * store built by `DynamoKvModule.forRoot` and its defaults:
 * - one caller acquiring a free lease and releasing it, BENCH_LEASE_OPS times (default 500): the latency of
 *   each step, and the requests each takes;
 * - increment, one caller and 64, for the counter the coordination features build on.
 * Every loop is bounded; everything runs on 127.0.0.1.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { NestFactory } from '@nestjs/core';
import { DynamoKvModule, KV_STORE } from 'nestjs-dynamodb-kv';
import { median, measure } from './measure.mjs';
import { startDynalite } from './servers.mjs';
import { createTable } from './tables.mjs';

process.env.AWS_EC2_METADATA_DISABLED = 'true';
const OPS = Number(process.env.BENCH_LEASE_OPS ?? 500);
const ROUNDS = 3;
const TABLE = 'bench-leases';
const credentials = { accessKeyId: 'bench', secretAccessKey: 'bench' };
const region = 'us-east-1';

/** @param {number[]} values @param {number} quantile */
function percentile(values, quantile) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(quantile * sorted.length))] ?? 0;
}

/** Acquire then release, one after the other; each step's latency in ms. @param {import('nestjs-dynamodb-kv').KVStore} store */
async function leaseRound(store) {
  /** @type {number[]} */
  const acquire = [];
  /** @type {number[]} */
  const release = [];
  for (let index = 0; index < OPS; index += 1) {
    const started = performance.now();
    const lease = await store.acquireLease(`bench-${index % 10}`, { ttlSeconds: 30 });
    const acquired = performance.now();
    if (lease === null) throw new Error('A free lease was not acquired.');
    await lease.release();
    acquire.push(acquired - started);
    release.push(performance.now() - acquired);
  }
  return { acquire, release };
}

const server = await startDynalite();
try {
  const client = new DynamoDBClient({ endpoint: server.endpoint, region, credentials });
  await createTable(client, TABLE, 'pk');
  client.destroy();
  const app = await NestFactory.createApplicationContext(
    DynamoKvModule.forRoot({ table: TABLE, endpoint: server.endpoint, region, credentials }),
    { logger: false },
  );
  /** @type {import('nestjs-dynamodb-kv').KVStore} */
  const store = app.get(KV_STORE);
  await leaseRound(store);
  const rows = [];
  for (let round = 1; round <= ROUNDS; round += 1) {
    const { acquire, release } = await leaseRound(store);
    rows.push({
      acquireP50: percentile(acquire, 0.5),
      acquireP99: percentile(acquire, 0.99),
      releaseP50: percentile(release, 0.5),
      releaseP99: percentile(release, 0.99),
    });
  }
  const mid = (/** @type {keyof (typeof rows)[0]} */ field) => percentile(rows.map((row) => row[field]), 0.5);
  const increments = [];
  for (const callers of [1, 64]) {
    const runs = [];
    for (let round = 1; round <= ROUNDS; round += 1) {
      runs.push(await measure((index) => store.increment(`bench-counter-${index % 100}`), { ops: OPS * 4, callers, warmup: 100 }));
    }
    increments.push({ callers, ...median(runs) });
  }
  await app.close();
  const fixed = (/** @type {number} */ value) => value.toFixed(2);
  const lines = [
    `## Leases and counters on dynalite (medians of ${ROUNDS} rounds of ${OPS} acquire/release pairs)`,
    '',
    '| step | p50 ms | p99 ms | requests |',
    '| --- | ---: | ---: | --- |',
    `| acquire a free lease | ${fixed(mid('acquireP50'))} | ${fixed(mid('acquireP99'))} | a strongly consistent GetItem, a conditional PutItem |`,
    `| release it | ${fixed(mid('releaseP50'))} | ${fixed(mid('releaseP99'))} | a conditional PutItem |`,
    '',
    '| increment | ops/s | client CPU µs/op | p50 ms | p99 ms |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...increments.map(
      (row) => `| ${row.callers} caller${row.callers > 1 ? 's' : ''} | ${Math.round(row.opsPerSecond)} | ${Math.round(row.cpuMicrosPerOp)} | ${fixed(row.p50Ms)} | ${fixed(row.p99Ms)} |`,
    ),
    '',
    'dynalite answers in about a millisecond; on DynamoDB each request adds its round trip (a few ms in a region).',
  ];
  console.log(lines.join('\n'));
} finally {
  server.stop();
}
