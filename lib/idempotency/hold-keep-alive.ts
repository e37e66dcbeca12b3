import { KvStoreClosedError } from '../contract/kv-store.errors.js';
import type { Hold, IdempotencyRecords, RecordWrite } from './idempotency-records.js';

/** The longest delay a Node timer takes (about 24.8 days); a longer one would fire after 1 ms instead. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface HoldKeepAlive {
  /** Stops renewing and waits for a renewal in flight (bounded by the store's call timeouts). */
  stop(): Promise<void>;
}

/**
 * Renews `hold` to its full TTL every third of it while the handler runs, so that a handler slower than
 * the TTL keeps its key, while the key of an instance that died mid-run is free one TTL after its last
 * renewal. Each renewal is conditional on the record still being this request's: it never takes back a
 * key another request has taken. Stops when the hold is lost or the store is closed; `report` hears of
 * every renewal that did not go through.
 */
export function keepHoldAlive(
  records: IdempotencyRecords,
  hold: Hold,
  ttlSeconds: number,
  report: (write: Exclude<RecordWrite, { kind: 'done' }>, everyMs: number) => void,
): HoldKeepAlive {
  const everyMs = Math.min(MAX_TIMER_MS, (ttlSeconds * 1000) / 3);
  let inFlight: Promise<void> | undefined;
  const renew = async (): Promise<void> => {
    const write = await records.extend(hold, ttlSeconds);
    if (write.kind === 'done') return;
    if (write.kind === 'lost' || (write.kind === 'failed' && write.error instanceof KvStoreClosedError)) clearInterval(timer);
    report(write, everyMs);
  };
  const timer = setInterval(() => {
    if (inFlight !== undefined) return;
    inFlight = renew()
      .catch(() => undefined) // extend() turns every store failure into a RecordWrite; nothing else is expected
      .finally(() => (inFlight = undefined));
  }, everyMs);
  timer.unref(); // the running handler keeps the process alive; the timer alone must not
  return {
    stop: async () => {
      clearInterval(timer);
      await inFlight;
    },
  };
}
