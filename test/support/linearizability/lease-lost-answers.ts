import { setTimeout as sleep } from 'node:timers/promises';
import { acquireLease, KvOutcomeUnknownError, type KvOperation, type KVStore, type KvWriteOptions } from '../../../lib/index.js';
import { SeededRandom } from '../seeded-random.js';

/** Which conditional writes of the lease code lose their answer, and how long a late write may take to land. */
export interface LostAnswerSettings {
  seed: number;
  /** Every `every`-th lease write loses its answer (deterministic, so that each history has some). */
  every: number;
  table: string;
  /** The store's call budget, as the store itself gives it to the lease code. */
  timeoutMs: number;
}

export interface LostAnswers {
  /** The store the clients use: `store`, with the lease code's writes answered as below. */
  store: KVStore;
  /** How many writes lost their answer so far. */
  readonly injected: number;
  /** Resolves once every late write has landed (or failed). */
  settled(): Promise<void>;
}

/** The longest a late write waits before it is sent. */
const MAX_LATE_MS = 300;

/**
 * The failures a DynamoDB store settles for itself and so never shows the lease code: a write that was
 * applied but whose answer was lost (the store's own read-back settles those), and a write that lands
 * late, after its caller was told the outcome is unknown (a request held up on its way). Each lease write
 * (`setIfAbsent`, `compareAndSwap` on a `lease:` key) that gets one ends in KvOutcomeUnknownError, as the
 * store reports a write it cannot settle, so that the lease code's own settling runs. `acquireLease` runs
 * the lease code over this wrapper, as `DynamoKvStore.acquireLease` does over the store.
 */
export function withLostAnswers(store: KVStore, settings: LostAnswerSettings): LostAnswers {
  const random = new SeededRandom(settings.seed);
  const late = new Set<Promise<unknown>>();
  let writes = 0;
  let injected = 0;

  const lost = (operation: KvOperation): KvOutcomeUnknownError =>
    new KvOutcomeUnknownError(`The ${operation} on table '${settings.table}' lost its answer (injected by the test).`, { operation, table: settings.table });

  const conditional = (operation: 'set_if_absent' | 'compare_and_swap', write: (options: KvWriteOptions) => Promise<boolean>) => {
    return async (key: string, options: KvWriteOptions): Promise<boolean> => {
      writes += 1;
      if (!key.startsWith('lease:') || writes % settings.every !== 0) return write(options);
      injected += 1;
      if (random.chance(0.5)) {
        // Applied (or refused) by the server; the answer is lost on the way back.
        await write(options).catch(() => undefined);
        throw lost(operation);
      }
      // Sent later, whatever the caller does meanwhile: it lands if its condition still holds then.
      const landing = sleep(random.int(1, MAX_LATE_MS)).then(() => write({ ...options, signal: undefined }).catch(() => undefined));
      late.add(landing);
      void landing.finally(() => late.delete(landing));
      throw lost(operation);
    };
  };

  const wrapper: KVStore = new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'setIfAbsent') {
        return (key: string, value: string, options: KvWriteOptions = {}) => conditional('set_if_absent', (given) => target.setIfAbsent(key, value, given))(key, options);
      }
      if (property === 'compareAndSwap') {
        return (key: string, expected: string, next: string, options: KvWriteOptions = {}) =>
          conditional('compare_and_swap', (given) => target.compareAndSwap(key, expected, next, given))(key, options);
      }
      if (property === 'acquireLease') {
        return (name: string, options: Parameters<KVStore['acquireLease']>[1]) =>
          acquireLease(wrapper, name, options, { table: settings.table, now: Date.now, timeoutMs: settings.timeoutMs });
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });

  return {
    store: wrapper,
    get injected() {
      return injected;
    },
    settled: async () => {
      while (late.size > 0) await Promise.all([...late]);
    },
  };
}
