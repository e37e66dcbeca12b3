#!/usr/bin/env node
// @ts-check
/**
 * The throttler storage against rate-limiter-flexible's RateLimiterDynamo, on one dynalite (a process of
 * its own, 127.0.0.1 only), or only DYNAMODB_ENDPOINT when set:
 *
 * - hits/s and latency at 1 and 64 concurrent callers, BENCH_THROTTLER_HITS hits a run (default 2000),
 *   rounds interleaved, median of 3;
 * - DynamoDB requests and capacity units per hit (writes: PutItem, UpdateItem; reads: GetItem,
 *   BatchGetItem), counted at a proxy in a separate pass of BENCH_THROTTLER_COUNTED hits (default 500), so
 *   the proxy costs the timed runs nothing.
 *
 * Three cases: many clients within their limit (the steady state of a healthy API), one client over its
 * limit (a client being refused), and one client near a large limit (a record of thousands of hits: the
 * cost of a write grows with it). Both limiters as an app would run them: this storage with its default
 * options, RateLimiterDynamo with its in-memory block. Every answer is checked to be the store's: a run
 * that got a fail-mode answer (let through uncounted, or refused for contention) is reported as such.
 * Prints the table and writes bench/throttler-results.md.
 */
import { DynamoDB, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { DynamoKvModule, KV_STORE } from 'nestjs-dynamodb-kv';
import { DynamoKvThrottlerStorage } from 'nestjs-dynamodb-kv/throttler';
import { RateLimiterDynamo } from 'rate-limiter-flexible';
import { startCountingProxy } from './counting-proxy.mjs';
import { median, measure } from './measure.mjs';
import { startDynalite } from './servers.mjs';
import { createTable } from './tables.mjs';

process.env.AWS_EC2_METADATA_DISABLED = 'true';
const HITS = Number(process.env.BENCH_THROTTLER_HITS ?? 2000);
const COUNTED = Number(process.env.BENCH_THROTTLER_COUNTED ?? 500);
const ROUNDS = 3;
const STORE_TABLE = 'bench-throttler';
const RLF_TABLE = 'bench-rate-limiter-flexible';
const credentials = { accessKeyId: 'bench', secretAccessKey: 'bench' };
const region = 'us-east-1';
const WINDOW_MS = 60_000;

/**
 * @typedef {{ name: string, clients: number, limit: number, prefill: number }} Scenario  prefill: hits sent to each key before a run, unmeasured
 * @typedef {{ allowed: boolean, failOpen: boolean, contended: boolean }} Answer
 * @typedef {{ hit(key: string): Promise<Answer>, close(): Promise<void> }} Limiter
 * @typedef {'DynamoKvThrottlerStorage' | 'RateLimiterDynamo'} Variant
 */

/** @type {Scenario[]} */
const SCENARIOS = [
  { name: '100 clients within their limit', clients: 100, limit: 5_000, prefill: 0 },
  { name: 'one client over its limit', clients: 1, limit: 10, prefill: 0 },
  { name: 'one client near a limit of 5,000 a minute', clients: 1, limit: 5_000, prefill: 2_500 },
];
/** @type {Variant[]} */
const VARIANTS = ['DynamoKvThrottlerStorage', 'RateLimiterDynamo'];

/** @param {string} endpoint @param {Variant} variant @param {number} limit @returns {Promise<Limiter>} */
async function openLimiter(endpoint, variant, limit) {
  if (variant === 'DynamoKvThrottlerStorage') {
    const app = await NestFactory.createApplicationContext(DynamoKvModule.forRoot({ table: STORE_TABLE, endpoint, region, credentials }), { logger: ['error'] });
    // The default options (a 300 ms budget, failing open), as an app would run it.
    const storage = new DynamoKvThrottlerStorage(app.get(KV_STORE));
    return {
      // As ThrottlerGuard calls it: ttl and blockDuration (its default: the ttl) in milliseconds.
      hit: async (key) => {
        const answer = await storage.increment(key, WINDOW_MS, limit, WINDOW_MS, 'default');
        // The fail mode's answers: let through with no hit counted, or refused for a second within the limit (contention).
        return {
          allowed: !answer.isBlocked,
          failOpen: !answer.isBlocked && answer.totalHits === 0,
          contended: answer.isBlocked && answer.totalHits <= limit,
        };
      },
      close: () => app.close(),
    };
  }
  const client = new DynamoDB({ endpoint, region, credentials });
  const limiter = new RateLimiterDynamo({
    storeClient: client,
    tableName: RLF_TABLE,
    tableCreated: true,
    ttlSet: true,
    points: limit,
    duration: WINDOW_MS / 1000,
    // Blocked for the window once over the limit, as ThrottlerGuard's default blockDuration, and that block
    // kept in memory so that a blocked client costs no request: how it is meant to face a flood.
    blockDuration: WINDOW_MS / 1000,
    inMemoryBlockOnConsumed: limit + 1,
    inMemoryBlockDuration: WINDOW_MS / 1000,
  });
  return {
    hit: (key) =>
      limiter.consume(key).then(
        () => ({ allowed: true, failOpen: false, contended: false }),
        (refusal) => {
          // It rejects with its answer when over the limit, and with the error when the store failed.
          if (refusal instanceof Error) throw refusal;
          return { allowed: false, failOpen: false, contended: false };
        },
      ),
    close: async () => client.destroy(),
  };
}

/** Keys of their own for each run, so that runs do not see each other's hits. */
let runs = 0;

/** @param {Limiter} limiter @param {Scenario} scenario @param {number} hits @param {number} callers @param {() => void} [beforeMeasuring] */
async function play(limiter, scenario, hits, callers, beforeMeasuring) {
  runs += 1;
  const keyOf = (/** @type {number} */ index) => `run-${runs}-client-${index % scenario.clients}`;
  if (scenario.prefill > 0) await measure((index) => limiter.hit(keyOf(index)), { ops: scenario.prefill * scenario.clients, callers: 64, warmup: 0 });
  beforeMeasuring?.();
  let allowed = 0;
  let failOpen = 0;
  let contended = 0;
  const result = await measure(
    async (index) => {
      const answer = await limiter.hit(keyOf(index));
      if (answer.allowed) allowed += 1;
      if (answer.failOpen) failOpen += 1;
      if (answer.contended) contended += 1;
    },
    { ops: hits, callers, warmup: 0 },
  );
  return { ...result, allowed, failOpen, contended };
}

/** @param {string} endpoint */
async function bench(endpoint) {
  const setup = new DynamoDBClient({ endpoint, region, credentials });
  await createTable(setup, STORE_TABLE, 'pk');
  await createTable(setup, RLF_TABLE, 'key');
  setup.destroy();
  const cases = SCENARIOS.flatMap((scenario) => [1, 64].flatMap((callers) => VARIANTS.map((variant) => ({ scenario, callers, variant }))));
  let failModeAnswers = 0;

  // Timed runs, straight to the server; each limiter warmed up first (connections, the first calls).
  /** @type {Record<Variant, Record<string, Limiter>>} */
  const limiters = { DynamoKvThrottlerStorage: {}, RateLimiterDynamo: {} };
  for (const variant of VARIANTS) {
    for (const scenario of SCENARIOS) {
      const limiter = await openLimiter(endpoint, variant, scenario.limit);
      await play(limiter, { ...scenario, prefill: 0 }, 200, 16);
      limiters[variant][scenario.name] = limiter;
    }
  }
  /** @type {Array<Array<import('./measure.mjs').RunResult & { failOpen: number, contended: number }>>} */
  const timed = cases.map(() => []);
  for (let round = 1; round <= ROUNDS; round += 1) {
    for (const [index, { scenario, callers, variant }] of cases.entries()) {
      const run = await play(limiters[variant][scenario.name], scenario, HITS, callers);
      failModeAnswers += run.failOpen + run.contended;
      timed[index]?.push(run);
    }
  }
  for (const byScenario of Object.values(limiters)) for (const limiter of Object.values(byScenario)) await limiter.close();

  // Counted runs, through the proxy.
  const proxy = await startCountingProxy(endpoint);
  const counted = [];
  try {
    for (const { scenario, callers, variant } of cases) {
      const limiter = await openLimiter(proxy.endpoint, variant, scenario.limit);
      const run = await play(limiter, scenario, COUNTED, callers, () => proxy.reset());
      failModeAnswers += run.failOpen + run.contended;
      const sum = (/** @type {Map<string, number>} */ by, /** @type {string[]} */ operations) =>
        operations.reduce((total, operation) => total + (by.get(operation) ?? 0), 0) / COUNTED;
      const writes = ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem'];
      const reads = ['GetItem', 'BatchGetItem'];
      counted.push({
        writes: sum(proxy.counts, writes),
        readRequests: sum(proxy.counts, reads),
        readItems: sum(proxy.items, reads),
        wcu: sum(proxy.capacity, writes),
        rcu: sum(proxy.capacity, reads),
        allowed: run.allowed,
        failModeAnswers: run.failOpen + run.contended,
      });
      await limiter.close();
    }
  } finally {
    await proxy.close();
  }
  const rows = cases.map((benchCase, index) => {
    const runsOfCase = timed[index] ?? [];
    const failMode = runsOfCase.reduce((sum, run) => sum + run.failOpen + run.contended, counted[index]?.failModeAnswers ?? 0);
    return { ...benchCase, ...median(runsOfCase), ...counted[index], failModeAnswers: failMode };
  });
  return { rows, failModeAnswers };
}

/** @param {Awaited<ReturnType<typeof bench>>} result @param {string} server */
function markdown({ rows, failModeAnswers }, server) {
  const lines = [
    '# Throttler storage benchmark',
    '',
    `Written by \`node bench/throttler.bench.mjs\` on ${new Date().toISOString().slice(0, 10)}: ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ` +
      `${Math.round(totalmem() / 2 ** 30)} GiB; Node ${process.version}; against ${server}. ${HITS} hits a run, rounds interleaved, median of ${ROUNDS}; ` +
      `requests and capacity counted at a proxy over ${COUNTED} more hits. A window of 60 s, blocked 60 s over the limit (ThrottlerGuard's default). ` +
      'DynamoKvThrottlerStorage with its default options (300 ms, failing open); RateLimiterDynamo with its block kept in memory ' +
      '(inMemoryBlockOnConsumed). "Near a limit" sends 2,500 hits to the key before each run, unmeasured, so that the run counts hits 2,501 on.',
    '',
    'Writes are write requests (PutItem, UpdateItem), those refused by their condition included: DynamoDB bills them. Reads are items read',
    "(a BatchGetItem of the store's automatic batching reads several in one request), then read requests. WCU and RCU are the capacity units",
    "dynalite reports (1 KB a write unit, 4 KB a strongly consistent read unit); a write refused by its condition is counted at its item's size.",
    '',
    'Where hits/s runs into the tens of thousands, the answers came without a request: hits that arrive together on one key share one round',
    "(one read, one write), and a block the instance knows of answers at once (RateLimiterDynamo's in-memory block does the same). That",
    "measures the process, not DynamoDB.",
    '',
    failModeAnswers === 0
      ? 'Every answer of DynamoKvThrottlerStorage came from the store: none by the fail mode (let through uncounted) and none refused for contention.'
      : `**${failModeAnswers} answers of DynamoKvThrottlerStorage came from its fail mode or were refused for contention: these figures are not of the store alone.**`,
    '',
    '| case | callers | storage | hits/s | p50 ms | p99 ms | client CPU µs/hit | writes/hit | WCU/hit | reads/hit (requests/hit) | RCU/hit | allowed (counted run) | fail-mode answers |',
    '| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (row) =>
        `| ${row.scenario.name} | ${row.callers} | ${row.variant} | ${row.opsPerSecond.toFixed(0)} | ${row.p50Ms.toFixed(2)} | ${row.p99Ms.toFixed(2)} | ` +
        `${row.cpuMicrosPerOp.toFixed(0)} | ${row.writes.toFixed(2)} | ${row.wcu.toFixed(2)} | ${row.readItems.toFixed(2)} (${row.readRequests.toFixed(2)}) | ` +
        `${row.rcu.toFixed(2)} | ${row.allowed} of ${COUNTED} | ${row.failModeAnswers} |`,
    ),
    '',
  ];
  return lines.join('\n');
}

// The storage warns through Nest's Logger when its fail mode answers; the answers themselves are checked above.
Logger.overrideLogger(['error']);
const server = process.env.DYNAMODB_ENDPOINT
  ? { name: `DYNAMODB_ENDPOINT (${process.env.DYNAMODB_ENDPOINT})`, endpoint: process.env.DYNAMODB_ENDPOINT, stop: () => {} }
  : await startDynalite();
try {
  const table = markdown(await bench(server.endpoint), server.name);
  await writeFile(new URL('./throttler-results.md', import.meta.url), table);
  console.log(table);
} finally {
  server.stop();
}
