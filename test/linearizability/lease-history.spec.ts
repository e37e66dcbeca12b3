import { randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KVStore } from '../../lib/index.js';
import type { Fault } from '../support/fault-proxy.js';
import { useFixture } from '../support/fixture.js';
import { checkLeaseHistory } from '../support/linearizability/lease-checker.js';
import { storedLeaseItems } from '../support/linearizability/lease-items.js';
import { withLostAnswers } from '../support/linearizability/lease-lost-answers.js';
import { runLeaseWorkload } from '../support/linearizability/lease-workload.js';
import { mixSeeds, SeededRandom } from '../support/seeded-random.js';
import { optionsAt } from '../support/store-options.js';

/**
 * Randomized histories of concurrent clients taking short leases on a few names, through a proxy that
 * injects faults at random, and with some lease writes whose answer is lost or that land late (faults the
 * store cannot settle itself, so that the lease code's own settling runs); half the clients go through
 * `DynamoKvStore.acquireLease` itself. Each history is checked (test/support/linearizability/lease-checker.ts):
 * no two holders at once by their signals, no takeover before the previous holder's expiry or release by
 * the store's clock, tokens that strictly increase as the lease changes hands and with real time, extend,
 * release and null answers that fit the timeline, and a stored token that never goes back.
 *
 * KV_LEASE_HISTORIES: histories per batching setting (default 3, about 10 to 14 s each); KV_LEASE_SEED: the base
 * seed (random by default, printed); history n runs seed base + n, so that a failing one replays alone
 * with its own seed. KV_LEASE_BATCHING=on|off runs one setting.
 */
const HISTORIES = Number(process.env.KV_LEASE_HISTORIES ?? '3');
const BASE_SEED = process.env.KV_LEASE_SEED === undefined ? randomInt(2 ** 31) : Number(process.env.KV_LEASE_SEED) >>> 0;
const SETTINGS = [
  ['on', true],
  ['off', false],
].filter(([label]) => process.env.KV_LEASE_BATCHING === undefined || process.env.KV_LEASE_BATCHING === label) as Array<[string, boolean]>;

const FAULTS: readonly Fault[] = ['reset-before-forward', 'reset-after-forward', 'reset-mid-body', 'delay', 'throttle', 'http-500', 'hang'];

/** Short timeouts, so that a hang ends within a lease's lifetime and the SDK's resends happen. */
const TIMEOUT_MS = 1_000;
const STORE_OPTIONS = { timeoutMs: TIMEOUT_MS, startupCheck: 'off', metrics: { enabled: false } } as const;
const CLIENT_CONFIG = { requestHandler: { connectionTimeout: 200, requestTimeout: 400 } };
/** How long the clients keep starting rounds. */
const LOAD_MS = 10_000;
/** The proxy's longest delay, and a margin: after it, no request from the load is still on its way. */
const SETTLE_MS = 500;

interface Plan {
  clients: number;
  names: string[];
  roundsPerClient: number;
  rate: number;
  /** Every how many-th lease write of the wrapped clients loses its answer. */
  lostEvery: number;
}

/** What a seed decides: the load's shape and the share of requests that meet a fault. */
function planFor(seed: number): Plan {
  const random = new SeededRandom(seed);
  return {
    clients: random.int(6, 16),
    names: Array.from({ length: random.int(1, 3) }, (_, index) => `lease-${index}`),
    roundsPerClient: random.int(6, 12),
    rate: Math.round((0.05 + random.next() * 0.15) * 100) / 100,
    lostEvery: random.int(3, 6),
  };
}

/** Nine years, in seconds: a lease item must outlive every lease (a year at most) by that much. */
const NINE_YEARS_SECONDS = 9 * 365 * 24 * 3600;

const summaries: string[] = [];

afterAll(() => {
  console.log(`lease histories (base seed ${BASE_SEED}):\n${summaries.join('\n')}`);
});

describe.each(SETTINGS)('leases under random faults (batching %s)', (batching, enabled) => {
  const fixture = useFixture();

  it.each(Array.from({ length: HISTORIES }, (_, index) => [index + 1, (BASE_SEED + index) >>> 0]))(
    'history %i: seed %i',
    async (_index, seed) => {
      const plan = planFor(seed);
      const table = await fixture.table();
      const proxy = await fixture.faultProxy();
      const { store } = await fixture.storeApp({ ...optionsAt(proxy.endpoint, table.name, CLIENT_CONFIG), ...STORE_OPTIONS, batching: { enabled } });

      const lost = withLostAnswers(store, { seed: mixSeeds(seed, 2), every: plan.lostEvery, table: table.name, timeoutMs: TIMEOUT_MS });
      // Even clients go through the wrapper, odd ones through the store's own acquireLease.
      const stores = (client: number): KVStore => (client % 2 === 0 ? lost.store : store);
      proxy.chaos({ seed: mixSeeds(seed, 1), rate: plan.rate, faults: FAULTS });
      let report: Awaited<ReturnType<typeof runLeaseWorkload>>;
      try {
        report = await runLeaseWorkload(stores, { seed, ...plan, deadline: performance.now() + LOAD_MS });
      } finally {
        proxy.calm();
      }
      await lost.settled();
      await sleep(SETTLE_MS);
      const items = await storedLeaseItems(table, plan.names);
      const result = checkLeaseHistory(report.history, new Map([...items].map(([name, item]) => [name, item.token])));
      const shortLived = [...items].filter(([, item]) => item.expiresAt !== undefined && item.expiresAt < Date.now() / 1000 + NINE_YEARS_SECONDS);

      const { history, unknown, failed, abandoned, stalled } = report;
      const { holdings } = history;
      summaries.push(
        `  seed ${seed}, batching ${batching}: ${holdings.length} holdings (${abandoned} abandoned, ${stalled} stalled), ${history.refusals.length} refused, ` +
          `${failed} failed, ${lost.injected} lost answers injected; unknown outcomes: ${unknown.acquire} acquire, ${unknown.extend} extend, ${unknown.release} release`,
      );
      const context = [
        `Seed ${seed}, batching ${batching}: ${plan.clients} clients × ${plan.roundsPerClient} rounds on ${plan.names.length} lease(s), ` +
          `${Math.round(plan.rate * 100)}% of requests faulted (${FAULTS.join(', ')}), 1 in ${plan.lostEvery} wrapped lease writes lost its answer; ` +
          `${holdings.length} holdings.`,
        `Replay: KV_LEASE_SEED=${seed} KV_LEASE_HISTORIES=1 KV_LEASE_BATCHING=${batching} npm run jest -- test/linearizability/lease-history.spec.ts`,
      ].join('\n');
      if (report.failures.length > 0) throw new Error(`${context}\nThe leases broke their contract:\n- ${report.failures.join('\n- ')}`);
      if (holdings.length === 0) throw new Error(`${context}\nNo client got a lease: the history shows nothing.`);
      if (lost.injected === 0) throw new Error(`${context}\nNo lease write lost its answer: the lease code's own settling did not run.`);
      if (!result.ok) throw new Error(`${context}\n${result.explanation}`);
      if (shortLived.length > 0) {
        const names = shortLived.map(([name]) => `'${name}'`).join(', ');
        throw new Error(`${context}\nThe item of lease ${names} expires within nine years: its token would restart from 1 long before that.`);
      }
    },
    60_000,
  );
});
