import { symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KVStore } from '../../lib/index.js';
import { LEASE_KEY_PREFIX } from '../../lib/coordination/leases/lease-options.js';
import { decodeLease, type LeaseRecord } from '../../lib/coordination/leases/lease-record.js';
import { succeed } from '../support/run-command.js';
import { useFixture, type Fixture } from '../support/fixture.js';
import type { ServerProcess } from '../support/server-process.js';
import { optionsAt } from '../support/store-options.js';
import { createTableAt, uniqueTableName } from '../support/test-endpoint.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const APP_MAIN = join(REPO, 'test/e2e/fixtures/exclusive-app/main.ts');
/** The jobs' hold: half the 1 s period of their '* * * * * *' schedule (the default; both TTLs are longer). */
const HOLD_MS = 500;
/** The tick job's lease TTL, and the long job's (test/e2e/fixtures/exclusive-app/exclusive-jobs.ts). */
const TICK_TTL_MS = 5_000;
const LONG_TTL_MS = 2_000;
const INSTANCES = 3;
/** Seconds judged, at least, and how many of them at least must be contested by several instances within the hold. */
const MIN_SECONDS = 8;
const MIN_CONTESTED = 3;

/** A call of a job's method, as an app process recorded it (recorded-call.ts): all times by the machine's one clock. */
interface Call {
  event: 'call';
  job: 'tick' | 'long';
  pid: number;
  /** When the call was made: the lease request starts then. */
  calledAtMs: number;
  /** When the method started, if it ran: the lease request was answered (and taken) before. */
  ranAtMs?: number;
  token?: number;
  /** When the call settled: a skipped call's lease request was answered before. */
  settledAtMs: number;
  error?: string;
}

interface LongEvent {
  event: 'long-start' | 'long-extended' | 'long-end';
  pid: number;
  atMs: number;
  token: number;
  takenAtMs?: number;
  expiresAtMs?: number;
  lost?: boolean;
  abortedAtMs?: number;
}

type JobEvent = Call | LongEvent;

/**
 * Compiles the fixture app (with the library's source it imports) as an app's own build would, into a
 * folder that resolves packages from this repository's node_modules; the entry's path.
 */
async function buildApp(fixture: Fixture): Promise<string> {
  const dir = await fixture.tempDir('kv-exclusive-app-');
  await symlink(join(REPO, 'node_modules'), join(dir, 'node_modules'), 'dir');
  await writeFile(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  const tsconfig = {
    extends: join(REPO, 'tsconfig.json'),
    compilerOptions: { noEmit: false, rootDir: REPO, outDir: join(dir, 'out'), allowImportingTsExtensions: false, declaration: false, sourceMap: false, types: ['node'], paths: {} },
    files: [APP_MAIN],
    include: [],
  };
  await writeFile(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig));
  await succeed(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', dir], REPO);
  return join(dir, 'out/test/e2e/fixtures/exclusive-app/main.js');
}

function eventsOf(app: ServerProcess): JobEvent[] {
  return app.stdout.filter((line) => line.startsWith('{"event"')).map((line) => JSON.parse(line) as JobEvent);
}

function callsOf(events: JobEvent[], job: Call['job']): Call[] {
  return events.filter((event): event is Call => event.event === 'call' && event.job === job);
}

function longEvents(events: JobEvent[], event: LongEvent['event']): LongEvent[] {
  return events.filter((candidate): candidate is LongEvent => candidate.event === event);
}

/** Polls `find` every 50 ms until it returns something; fails after `limitMs` with `describe()` to show why. */
async function waitFor<T>(find: () => T | undefined | Promise<T | undefined>, limitMs: number, describe: () => string): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const found = await find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`Gave up after ${limitMs} ms waiting for ${describe()}`);
    await sleep(50);
  }
}

/** The verdict on each second of a window of the tick job's calls. */
interface TickVerdict {
  /** Seconds with exactly one run. */
  exact: number[];
  /** Of those, the ones where at least two instances' lease requests were answered within the hold. */
  contested: number[];
  /** Two runs of one second, both within the bound: what must never happen. */
  duplicates: string[];
  /** No run in a second in which some instance asked within the bound and should have found the lease free. */
  gaps: string[];
  /** A duplicate or gap that a call outside the bound (answered later than the hold, or failed) explains. */
  outside: string[];
}

/**
 * Judges each second of `[first, last]` by the calls made in it (the lease does not know ticks: a call
 * belongs to the second it was made in, however late its timer fired). The bound of
 * docs/exclusive-jobs.md: each call's lease request answered less than the hold after the second began.
 */
function judgeTicks(calls: Call[], first: number, last: number): TickVerdict {
  const verdict: TickVerdict = { exact: [], contested: [], duplicates: [], gaps: [], outside: [] };
  const secondOf = (call: Call) => Math.floor(call.calledAtMs / 1000);
  // The lease request was answered by then: before the method ran, or before a skipped call settled.
  const onTime = (call: Call) => call.error === undefined && (call.ranAtMs ?? call.settledAtMs) - secondOf(call) * 1000 < HOLD_MS;
  const describe = (second: number, inSecond: Call[]) =>
    `second ${second}: ${JSON.stringify(inSecond.map(({ pid, calledAtMs, ranAtMs, settledAtMs, token, error }) => ({ pid, calledAtMs, ranAtMs, settledAtMs, token, error })))}`;
  // What could hold the lease at a call's request: the runs and failed calls made before it settled, each
  // until its end was written and its hold was over (a failed call's write may have landed: until its TTL).
  const freeFor = (call: Call) =>
    calls
      .filter((other) => other !== call && other.calledAtMs < call.settledAtMs && (other.ranAtMs !== undefined || other.error !== undefined))
      .every((other) => call.calledAtMs >= (other.error !== undefined ? other.settledAtMs + TICK_TTL_MS : Math.max(other.settledAtMs, other.ranAtMs! + HOLD_MS)));
  for (let second = first; second <= last; second += 1) {
    const inSecond = calls.filter((call) => secondOf(call) === second);
    const runs = inSecond.filter((call) => call.ranAtMs !== undefined);
    if (runs.length === 1) {
      verdict.exact.push(second);
      if (inSecond.filter(onTime).length >= 2) verdict.contested.push(second);
    } else if (runs.length > 1) {
      // Two runs answered within the hold cannot both have taken the lease: the later one's request would
      // have found the first's lease held (it holds until the hold is over, from a moment in this second).
      (runs.filter(onTime).length >= 2 ? verdict.duplicates : verdict.outside).push(describe(second, inSecond));
    } else {
      (inSecond.some((call) => onTime(call) && freeFor(call)) ? verdict.gaps : verdict.outside).push(describe(second, inSecond));
    }
  }
  return verdict;
}

describe('@KvExclusive across app processes: @Cron every second, 3 instances, one dynalite', () => {
  const fixture = useFixture('all');
  const apps: ServerProcess[] = [];
  let store: KVStore;

  const allEvents = (): JobEvent[] => apps.flatMap(eventsOf);

  beforeAll(async () => {
    const main = await buildApp(fixture);
    const server = await fixture.dynalite();
    const table = uniqueTableName('exclusive');
    await createTableAt(server.endpoint, table);
    ({ store } = await fixture.storeApp(optionsAt(server.endpoint, table)));
    for (let instance = 0; instance < INSTANCES; instance += 1) {
      const env = { DYNAMODB_ENDPOINT: server.endpoint, KV_TABLE: table, AWS_EC2_METADATA_DISABLED: 'true', INSTANCE_INDEX: String(instance) };
      apps.push(await fixture.serverProcess(main, { env, listeningUrl: (line) => (line === 'exclusive-app ready' ? 'ready' : undefined) }));
    }
  }, 120_000);

  it('runs each tick exactly once within the bound, on one instance or another, with the fencing token rising each time', async () => {
    const first = Math.floor(Date.now() / 1000) + 1;
    // Until enough whole seconds are in (a second is over once its calls have settled: two seconds later).
    const verdict = await waitFor(
      () => {
        const last = Math.floor(Date.now() / 1000) - 2;
        if (last - first + 1 < MIN_SECONDS) return undefined;
        const judged = judgeTicks(callsOf(allEvents(), 'tick'), first, last);
        return judged.contested.length >= MIN_CONTESTED || judged.duplicates.length + judged.gaps.length > 0 ? judged : undefined;
      },
      90_000,
      () => `${MIN_CONTESTED} seconds contested within the bound: ${JSON.stringify(judgeTicks(callsOf(allEvents(), 'tick'), first, Math.floor(Date.now() / 1000) - 2))}`,
    );
    // A failure lists the calls of the seconds at fault; `outside` (not asserted) the ones the bound excuses.
    expect({ duplicates: verdict.duplicates, gaps: verdict.gaps }).toEqual({ duplicates: [], gaps: [] });
    expect(verdict.contested.length).toBeGreaterThanOrEqual(MIN_CONTESTED);
    const runs = callsOf(allEvents(), 'tick')
      .filter((call) => call.ranAtMs !== undefined)
      .sort((a, b) => a.ranAtMs! - b.ranAtMs!);
    const tokens = runs.map((run) => run.token!);
    expect(tokens).toEqual([...tokens].sort((a, b) => a - b));
    expect(new Set(tokens).size).toBe(tokens.length);
  }, 120_000);

  it('never holds the long job on two instances at once, and keeps its lease past the TTL while it runs', async () => {
    // Its own evidence, whatever ran before: three runs of the long job that have ended.
    const ends = await waitFor(
      () => {
        const found = longEvents(allEvents(), 'long-end');
        return found.length >= 3 ? found : undefined;
      },
      60_000,
      () => `three ends of the long job; its events: ${JSON.stringify(allEvents().filter((event) => event.event !== 'call'))}`,
    );
    const starts = longEvents(allEvents(), 'long-start').sort((a, b) => a.token - b.token);
    const endOf = new Map(ends.map((end) => [end.token, end]));
    for (const [index, start] of starts.entries()) {
      const next = starts[index + 1];
      const end = endOf.get(start.token);
      if (next === undefined || end === undefined) break;
      expect(next.token).toBeGreaterThan(start.token);
      // The successor took the lease only after this run stopped holding it: when it ended, or when its
      // signal aborted if it lost the lease (the method then stops at once, as this one does).
      expect(next.takenAtMs!).toBeGreaterThanOrEqual(end.lost ? end.abortedAtMs! : end.atMs);
    }
    // Kept past its TTL by extensions: a run that lasted longer than the TTL and did not lose its lease.
    const kept = ends.filter((end) => !end.lost && end.atMs - starts.find((start) => start.token === end.token)!.takenAtMs! > LONG_TTL_MS);
    expect(kept.length).toBeGreaterThan(0);
  }, 90_000);

  it('after kill -9 of the runner mid-job, another instance takes the job over once the lease has expired: not before, and at the first chance', async () => {
    // A run that has renewed its lease at least once: it is mid-job, and its TTL now counts from that renewal.
    const renewed = await waitFor(
      () => {
        const events = allEvents();
        const start = longEvents(events, 'long-start').sort((a, b) => a.token - b.token).at(-1);
        if (start === undefined || longEvents(events, 'long-end').some((end) => end.token === start.token)) return undefined;
        return longEvents(events, 'long-extended').find((event) => event.token === start.token);
      },
      30_000,
      () => `a run of the long job that renewed its lease; its events: ${JSON.stringify(allEvents().filter((event) => event.event !== 'call'))}`,
    );
    const runner = apps.find((app) => eventsOf(app).some((event) => event.pid === renewed.pid))!;
    await runner.stop('SIGKILL');
    const survivors = apps.filter((app) => app !== runner);

    // Watch the lease's item until another instance starts the job: the dead runner's last expiry is the last one seen with its token.
    let deadRecord: LeaseRecord | undefined;
    const takeover = await waitFor(
      async () => {
        const raw = await store.get(LEASE_KEY_PREFIX + 'long', { consistentRead: true });
        const record = decodeLease(raw, { operation: 'get', table: 'exclusive' });
        if (record.token === renewed.token) deadRecord = record;
        const later = longEvents(survivors.flatMap(eventsOf), 'long-start').filter((event) => event.token > renewed.token);
        return later.sort((a, b) => a.token - b.token)[0];
      },
      30_000,
      () => 'another instance to start the long job',
    );
    expect(takeover.pid).not.toBe(renewed.pid);
    expect(deadRecord).toBeDefined();
    expect(deadRecord!.released).toBeUndefined(); // killed: nothing let go of it
    expect(deadRecord!.expiresAtMs).toBeGreaterThanOrEqual(renewed.expiresAtMs!);
    // Not before: taken (by its clock) at or after the dead runner's last expiry.
    expect(takeover.takenAtMs!).toBeGreaterThanOrEqual(deadRecord!.expiresAtMs);
    // At the first chance: no survivor's call made after that expiry was turned away before the takeover took it.
    const missed = callsOf(survivors.flatMap(eventsOf), 'long').filter(
      (call) => call.error === undefined && call.ranAtMs === undefined && call.calledAtMs >= deadRecord!.expiresAtMs && call.settledAtMs <= takeover.takenAtMs!,
    );
    expect(missed).toEqual([]);
  }, 90_000);
});
