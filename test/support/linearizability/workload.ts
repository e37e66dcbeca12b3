import { mixSeeds, SeededRandom } from '../seeded-random.js';
import type { HistoryRecorder } from './recorder.js';

export interface WorkloadSettings {
  /** Seeds every client's choices (each client draws from its own generator, forked from this seed). */
  seed: number;
  clients: number;
  operationsPerClient: number;
  /**
   * Clients share keys in groups of this many, each group with `keysPerGroup` keys of its own, as
   * Jepsen's independent keys do: a key then never has more calls in flight than its group has clients,
   * which keeps its check tractable, while the store serves all the clients at once.
   */
  groupSize: number;
  keysPerGroup: number;
  /** No client starts an operation after this `performance.now()` time: the load ends even if the store crawls. */
  deadline: number;
}

/** Every key the load touches, `g2-k1` for the second key of the third group. */
export function workloadKeys(settings: Pick<WorkloadSettings, 'clients' | 'groupSize' | 'keysPerGroup'>): string[] {
  const groups = Math.ceil(settings.clients / settings.groupSize);
  return Array.from({ length: groups }, (_, group) => groupKeys(settings, group)).flat();
}

function groupKeys(settings: Pick<WorkloadSettings, 'keysPerGroup'>, group: number): string[] {
  return Array.from({ length: settings.keysPerGroup }, (_, index) => `g${group}-k${index}`);
}

/**
 * Concurrent clients calling the store through the recorder, each one operation after another, with no
 * pause: get, set, delete, setIfAbsent, compareAndSwap (expecting a value it recently read or wrote, so
 * that some match), and the batch calls over two to four keys of its group. Every value written is unique
 * to its operation and key (`c3-o17`, `c3-o17-k1` in a batch), so that a read names the write it saw.
 * A group's first key is mostly a counter: half the calls on it are increments (by -2 to 3), so counters
 * meet every other operation too (a set replaces one, a compareAndSwap expects its count).
 */
export async function runWorkload(recorder: HistoryRecorder, settings: WorkloadSettings): Promise<void> {
  await Promise.all(Array.from({ length: settings.clients }, (_, client) => runClient(recorder, settings, client)));
}

async function runClient(recorder: HistoryRecorder, settings: WorkloadSettings, client: number): Promise<void> {
  const random = new SeededRandom(mixSeeds(settings.seed, client));
  const recent = new RecentValues();
  const keys = groupKeys(settings, Math.floor(client / settings.groupSize));
  for (let index = 0; index < settings.operationsPerClient && performance.now() < settings.deadline; index += 1) {
    const key = random.pick(keys);
    const value = `c${client}-o${index}`;
    const roll = random.next();
    const expected = recent.guess(random, key);
    if (key === keys[0] && random.chance(0.5)) {
      const count = await recorder.increment(client, key, random.int(-2, 3));
      if (count !== undefined) recent.saw(key, String(count));
    } else if (roll < 0.2 || (roll >= 0.55 && roll < 0.75 && expected === undefined)) {
      recent.saw(key, await recorder.get(client, key));
    } else if (roll < 0.34) {
      await recorder.set(client, key, value);
      recent.saw(key, value);
    } else if (roll < 0.42) {
      await recorder.delete(client, key);
    } else if (roll < 0.55) {
      await recorder.setIfAbsent(client, key, value);
      recent.saw(key, value);
    } else if (roll < 0.75) {
      await recorder.compareAndSwap(client, key, expected!, value);
      recent.saw(key, value);
    } else if (roll < 0.85) {
      const read = await recorder.getMany(client, batchKeys(random, keys));
      for (const [each, seen] of read ?? []) recent.saw(each, seen);
    } else if (roll < 0.94) {
      const entries = batchKeys(random, keys).map((each, position): [string, string] => [each, `${value}-k${position}`]);
      await recorder.setMany(client, entries);
      for (const [each, written] of entries) recent.saw(each, written);
    } else {
      await recorder.deleteMany(client, batchKeys(random, keys));
    }
  }
}

/** Two to four keys, in random order, now and then one of them twice (the store must handle repeats). */
function batchKeys(random: SeededRandom, keys: readonly string[]): string[] {
  const shuffled = [...keys].sort(() => random.next() - 0.5);
  const chosen = shuffled.slice(0, random.int(Math.min(2, keys.length), Math.min(4, keys.length)));
  return random.chance(0.1) ? [...chosen, random.pick(chosen)] : chosen;
}

/** The last few values a client read or wrote per key: what its compareAndSwaps expect. */
class RecentValues {
  private readonly values = new Map<string, string[]>();

  saw(key: string, value: string | null | undefined): void {
    if (value === null || value === undefined) return;
    this.values.set(key, [value, ...(this.values.get(key) ?? []).filter((other) => other !== value)].slice(0, 3));
  }

  /** Mostly the latest value, which is most likely still there; sometimes an older one. */
  guess(random: SeededRandom, key: string): string | undefined {
    const values = this.values.get(key) ?? [];
    if (values.length === 0) return undefined;
    return random.chance(0.7) ? values[0] : random.pick(values);
  }
}
