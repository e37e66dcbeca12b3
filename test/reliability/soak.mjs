#!/usr/bin/env node
// @ts-check
/**
 * The soak run of test/reliability/soak.spec.ts, in a process of its own (for exact counts and a real GC):
 * SOAK_OPERATIONS gets and sets (default a million) by 64 callers, batching on, against the benchmark's
 * instant server, with file descriptors (sockets), handles, timers and heap counted after the first tenth
 * and at the end.
 * Prints one JSON line.
 */
import { NestFactory } from '@nestjs/core';
import { DynamoKvModule, KV_STORE } from 'nestjs-dynamodb-kv';
import { startInstantServer } from '../../bench/servers.mjs';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { readdir } from 'node:fs/promises';

const OPERATIONS = Number(process.env.SOAK_OPERATIONS ?? 1_000_000);
const CALLERS = 64;
const gc = /** @type {{ gc?: () => void }} */ (globalThis).gc;
if (!gc) throw new Error('Run with --expose-gc.');

const server = await startInstantServer();
const credentials = { accessKeyId: 'soak', secretAccessKey: 'soak' };
const setup = new DynamoDBClient({ endpoint: server.endpoint, region: 'us-east-1', credentials });
await setup.send(
  new CreateTableCommand({
    TableName: 'soak',
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
    BillingMode: 'PAY_PER_REQUEST',
  }),
);
setup.destroy();
const app = await NestFactory.createApplicationContext(
  DynamoKvModule.forRoot({ table: 'soak', endpoint: server.endpoint, region: 'us-east-1', credentials }),
  { logger: false },
);
/** @type {import('nestjs-dynamodb-kv').KVStore} */
const store = app.get(KV_STORE);

/** Open file descriptors (sockets among them), active handles and timers, and the heap after a full GC. */
async function snapshot() {
  gc?.();
  const resources = process.getActiveResourcesInfo();
  return {
    fileDescriptors: (await readdir('/proc/self/fd')).length,
    activeResources: resources.length,
    timers: resources.filter((resource) => resource === 'Timeout').length,
    heapMb: process.memoryUsage().heapUsed / 1024 / 1024,
  };
}

/** @param {number} from @param {number} to */
async function run(from, to) {
  let next = from;
  await Promise.all(
    Array.from({ length: CALLERS }, async () => {
      for (let index = next++; index < to; index = next++) {
        // A set, then a get of the same key: the gets find values.
        const key = `soak-${Math.floor(index / 2) % 5000}`;
        if (index % 2 === 0) await store.set(key, `value ${index}`);
        else await store.get(key).catch(() => undefined);
      }
    }),
  );
}

const started = performance.now();
await run(0, OPERATIONS / 10);
const early = await snapshot();
await run(OPERATIONS / 10, OPERATIONS);
const late = await snapshot();
const seconds = (performance.now() - started) / 1000;
await app.close();
server.stop();
console.log(JSON.stringify({ operations: OPERATIONS, seconds, early, late }));
