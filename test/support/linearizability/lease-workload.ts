import { setTimeout as sleep } from 'node:timers/promises';
import { KvOutcomeUnknownError, KvStoreError, type KvLease, type KVStore } from '../../../lib/index.js';
import { mixSeeds, SeededRandom } from '../seeded-random.js';
import { emptyLeaseHistory, type LeaseHistory, type LeaseHolding } from './lease-history.js';

export interface LeaseWorkloadSettings {
  /** Seeds every client's choices (each client draws from its own generator, forked from this seed). */
  seed: number;
  clients: number;
  /** The lease names the clients share: few, so that they contend. */
  names: readonly string[];
  /** Each client's acquireLease calls, at most. */
  roundsPerClient: number;
  /** No client starts a round after this `performance.now()` time. */
  deadline: number;
}

/** How the load's calls ended: the history the checker reads, and counts for the summary. */
export interface LeaseWorkloadReport {
  history: LeaseHistory;
  /** Calls that ended in KvOutcomeUnknownError, by operation. */
  unknown: Record<'acquire' | 'extend' | 'release', number>;
  /** Calls that ended in another KvStoreError (nothing changed): DynamoDB out of reach, throttled, ... */
  failed: number;
  /** Holders that never released (a crash): their successors had to wait for the expiry. */
  abandoned: number;
  /** Holders that stalled past their expiry, then extended or released as if they still held the lease. */
  stalled: number;
  /** What broke the lease's contract itself (an error that is not a KvStoreError); a test must find it empty. */
  failures: string[];
}

/** Each client's store: clients may go through different stores of one table (a wrapper, a second instance). */
export type ClientStores = (client: number) => KVStore;

/**
 * Concurrent clients taking short leases on a few shared names: each acquires (without waiting, or up to 1.5 s),
 * holds for a while, sometimes extends, then releases, or now and then abandons the lease as a crashed
 * holder would, or stalls past its expiry and then extends and releases as if it still held it. Every call
 * is recorded on the store's clock with its answer; a holding ends at the release call or when the lease's
 * signal aborts, whichever comes first: what the holder counts on is the signal, not a time it computes.
 */
export async function runLeaseWorkload(stores: ClientStores, settings: LeaseWorkloadSettings): Promise<LeaseWorkloadReport> {
  const report: LeaseWorkloadReport = { history: emptyLeaseHistory(), unknown: { acquire: 0, extend: 0, release: 0 }, failed: 0, abandoned: 0, stalled: 0, failures: [] };
  await Promise.all(Array.from({ length: settings.clients }, (_, client) => runClient(stores(client), settings, client, report)));
  return report;
}

async function runClient(store: KVStore, settings: LeaseWorkloadSettings, client: number, report: LeaseWorkloadReport): Promise<void> {
  const random = new SeededRandom(mixSeeds(settings.seed, client));
  const { history } = report;
  for (let round = 0; round < settings.roundsPerClient && performance.now() < settings.deadline; round += 1) {
    const name = random.pick(settings.names);
    const ttlSeconds = random.int(5, 20) / 10;
    // Calls that do not wait are common (a job that skips when another instance holds the lease).
    const waitMs = random.chance(0.3) ? 0 : random.int(1, 1500);
    const called = Date.now();
    const outcome = await settle(report, 'acquire', () => store.acquireLease(name, { ttlSeconds, waitMs, owner: `client-${client}` }));
    const returned = Date.now();
    if (outcome.answer === 'unknown') history.inDoubt.push({ client, name, called, returned, ttlMs: ttlSeconds * 1000 });
    if (outcome.answer === null) history.refusals.push({ client, name, called, returned, waitMs });
    if (typeof outcome.answer !== 'object' || outcome.answer === null) continue;
    const lease = outcome.answer;
    const holding: LeaseHolding = {
      client,
      name,
      token: lease.token,
      called,
      acquired: returned,
      expiresAt: lease.expiresAt.getTime(),
      ended: lease.signal.aborted ? returned : Number.POSITIVE_INFINITY,
      endedOnArrival: lease.signal.aborted,
      extensions: [],
    };
    lease.signal.addEventListener('abort', () => (holding.ended = Math.min(holding.ended, Date.now())), { once: true });
    history.holdings.push(holding);
    await hold(lease, holding, ttlSeconds, random, report);
  }
}

/** Holds `lease` for a while, extending it now and then, and lets it go: released, abandoned, or released after a stall. */
async function hold(lease: KvLease, holding: LeaseHolding, ttlSeconds: number, random: SeededRandom, report: LeaseWorkloadReport): Promise<void> {
  let ttl = ttlSeconds;
  for (let step = random.int(1, 3); step > 0 && !lease.signal.aborted; step -= 1) {
    await sleep(random.int(0, Math.round(ttl * 400)));
    if (random.chance(0.4)) {
      const nextTtl = random.int(5, 20) / 10;
      if (await extend(lease, holding, nextTtl, report)) ttl = nextTtl;
    }
  }
  if (random.chance(0.15)) {
    report.abandoned += 1;
    return;
  }
  // A holder that stalls past its expiry (a long GC pause, a stopped VM) and then carries on as if it
  // still held the lease: its release or extend must not touch its successor's lease.
  if (random.chance(0.2)) {
    report.stalled += 1;
    await sleep(Math.round(ttl * 1000) + random.int(0, 1000));
    if (random.chance(0.5)) await extend(lease, holding, ttl, report);
  }
  const called = Date.now();
  holding.ended = Math.min(holding.ended, called);
  const { answer } = await settle(report, 'release', () => lease.release());
  holding.release = { called, returned: Date.now(), answer };
}

/** One extend call, recorded; true when it answered true. */
async function extend(lease: KvLease, holding: LeaseHolding, ttlSeconds: number, report: LeaseWorkloadReport): Promise<boolean> {
  const called = Date.now();
  const { answer } = await settle(report, 'extend', () => lease.extend(ttlSeconds));
  const returned = Date.now();
  holding.extensions.push({ called, returned, ttlMs: ttlSeconds * 1000, answer, ...(answer === true ? { expiresAt: lease.expiresAt.getTime() } : {}) });
  return answer === true;
}

type Settled<T> = { answer: T | 'unknown' | 'failed' };

/** What `call` resolved, or how it failed as the contract allows (counted in `report`). */
async function settle<T>(report: LeaseWorkloadReport, operation: keyof LeaseWorkloadReport['unknown'], call: () => Promise<T>): Promise<Settled<T>> {
  try {
    return { answer: await call() };
  } catch (error) {
    if (error instanceof KvOutcomeUnknownError) {
      report.unknown[operation] += 1;
      return { answer: 'unknown' };
    }
    if (error instanceof KvStoreError) report.failed += 1;
    else report.failures.push(`${operation} failed with an error that is not a KvStoreError: ${String(error)}`);
    return { answer: 'failed' };
  }
}
