import { randomInt } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Fault } from '../support/fault-proxy.js';
import { useFixture } from '../support/fixture.js';
import { checkLinearizable } from '../support/linearizability/checker.js';
import { HistoryRecorder } from '../support/linearizability/recorder.js';
import { sourcesOfValuesSeen } from '../support/linearizability/value-sources.js';
import { runWorkload, workloadKeys } from '../support/linearizability/workload.js';
import { mixSeeds, SeededRandom } from '../support/seeded-random.js';
import { optionsAt } from '../support/store-options.js';

/**
 * Randomized histories of concurrent clients against the store, through a proxy that injects faults at
 * random, each checked for linearizability against the sequential model of a key-value store
 * (test/support/linearizability/): every ending the store reported (a result, "nothing changed", "outcome
 * unknown") must fit one order of the operations, each within its call and return.
 *
 * KV_LIN_HISTORIES: histories per batching setting (default 12, about a minute for the file on a 2-core
 * machine); KV_LIN_SEED: the base seed (random by default, printed); history n runs seed base + n, so
 * that one failing history replays alone with its own seed. KV_LIN_BATCHING=on|off runs one setting.
 * KV_LIN_DUMP=<folder> writes each failing history there as JSON, to run the checker on it again.
 */
const HISTORIES = Number(process.env.KV_LIN_HISTORIES ?? '12');
const BASE_SEED = process.env.KV_LIN_SEED === undefined ? randomInt(2 ** 31) : Number(process.env.KV_LIN_SEED) >>> 0;
const SETTINGS = [
  ['on', true],
  ['off', false],
].filter(([label]) => process.env.KV_LIN_BATCHING === undefined || process.env.KV_LIN_BATCHING === label) as Array<[string, boolean]>;

const FAULTS: readonly Fault[] = ['reset-before-forward', 'reset-after-forward', 'reset-mid-body', 'delay', 'throttle', 'unprocessed-random', 'http-500', 'hang'];

/**
 * Short timeouts, so that hangs end within a history and the SDK's resends happen, yet long enough that
 * the load alone (64 clients on one dynalite) seldom times out: each timed-out write is an unknown
 * outcome, and every unknown outcome multiplies the orders the check has to try.
 */
const STORE_OPTIONS = {
  timeoutMs: 1_000,
  consistentRead: true,
  startupCheck: 'off',
  metrics: { enabled: false },
  batchRetry: { maxAttempts: 4, baseDelayMs: 5, maxDelayMs: 40, maxElapsedMs: 300 },
} as const;
const CLIENT_CONFIG = { requestHandler: { connectionTimeout: 200, requestTimeout: 400 } };

/** Clients that share keys: the check of a key grows steeply with how many calls on it overlap. */
const GROUP_SIZE = 8;
/** The proxy's longest delay, and a margin: after it, no request from the load is still on its way. */
const SETTLE_MS = 500;

interface Plan {
  clients: number;
  operationsPerClient: number;
  groupSize: number;
  keysPerGroup: number;
  rate: number;
}

/** What a seed decides: the load's shape and the share of requests that meet a fault. */
function planFor(seed: number): Plan {
  const random = new SeededRandom(seed);
  return {
    clients: random.int(16, 64),
    operationsPerClient: random.int(10, 20),
    groupSize: GROUP_SIZE,
    keysPerGroup: random.int(2, 4),
    rate: Math.round((0.05 + random.next() * 0.15) * 100) / 100,
  };
}

const timings: Array<{ batching: string; seconds: number; operations: number; unknown: number }> = [];

afterAll(() => {
  const total = timings.reduce((sum, timing) => sum + timing.seconds, 0);
  const operations = timings.reduce((sum, timing) => sum + timing.operations, 0);
  const unknown = timings.reduce((sum, timing) => sum + timing.unknown, 0);
  console.log(
    `linearizability: ${timings.length} histories (${HISTORIES} per setting, base seed ${BASE_SEED}) in ${total.toFixed(1)} s, ` +
      `${(total / Math.max(1, timings.length)).toFixed(1)} s each; ${operations} operations recorded, ${unknown} with an unknown outcome`,
  );
});

describe.each(SETTINGS)('linearizability of the store under random faults (batching %s)', (batching, enabled) => {
  const fixture = useFixture();

  it.each(Array.from({ length: HISTORIES }, (_, index) => [index + 1, (BASE_SEED + index) >>> 0]))(
    'history %i: seed %i',
    async (_index, seed) => {
      const started = performance.now();
      const plan = planFor(seed);
      const table = await fixture.table();
      const proxy = await fixture.faultProxy();
      const { store } = await fixture.storeApp({
        ...optionsAt(proxy.endpoint, table.name, CLIENT_CONFIG),
        ...STORE_OPTIONS,
        batching: { enabled },
      });
      const recorder = new HistoryRecorder(store, { watchdogMs: 10_000 });

      proxy.chaos({ seed: mixSeeds(seed, 1), rate: plan.rate, faults: FAULTS });
      try {
        await runWorkload(recorder, { seed, ...plan, deadline: performance.now() + 60_000 });
      } finally {
        proxy.calm();
      }
      // What the proxy still holds lands first; then one read of each key, after everything else, shows
      // lost and phantom writes.
      await sleep(SETTLE_MS);
      const final = -1;
      const keys = workloadKeys(plan);
      for (const key of keys) {
        const before = recorder.operations.length;
        await recorder.get(final, key);
        if (recorder.operations.length === before) recorder.failures.push(`The final read of '${key}' failed, with no fault injected.`);
      }

      const history = recorder.operations;
      const result = checkLinearizable(history);
      const seconds = (performance.now() - started) / 1000;
      timings.push({ batching, seconds, operations: history.length, unknown: history.filter((operation) => operation.status === 'unknown').length });

      if (!result.ok && process.env.KV_LIN_DUMP !== undefined) {
        await writeFile(join(process.env.KV_LIN_DUMP, `seed-${seed}-batching-${batching}.json`), JSON.stringify({ seed, batching, plan, history }));
      }
      const context = [
        `Seed ${seed}, batching ${batching}: ${plan.clients} clients × ${plan.operationsPerClient} operations, ` +
          `in groups of ${plan.groupSize} on ${plan.keysPerGroup} keys each (${keys.length} keys), ` +
          `${Math.round(plan.rate * 100)}% of requests faulted (${FAULTS.join(', ')}); ${history.length} operations recorded.`,
        `Replay: KV_LIN_SEED=${seed} KV_LIN_HISTORIES=1 KV_LIN_BATCHING=${batching} npm run jest -- test/linearizability`,
      ].join('\n');
      if (recorder.failures.length > 0) throw new Error(`${context}\nThe store broke its contract:\n- ${recorder.failures.join('\n- ')}`);
      if (!result.ok && result.verdict === 'inconclusive') throw new Error(`${context}\nThe check was inconclusive: ${result.explanation}`);
      if (!result.ok) {
        const keyHistory = history.filter((operation) => operation.key === result.key);
        throw new Error([context, result.explanation, ...sourcesOfValuesSeen(result.ops, keyHistory, recorder.dropped)].join('\n'));
      }
    },
    120_000,
  );
});
