import { KvStoreClosedError } from '../../contract/kv-store.errors.js';
import { describeFailure } from './describe-failure.js';
import type { JobLog } from './job-log.js';
import type { ExclusiveJob } from './kv-exclusive.options.js';
import type { RunLease } from './run-lease.js';

/** The longest delay a Node timer takes (about 24.8 days); a longer one would fire after 1 ms instead. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface LeaseKeepAlive {
  /** Stops extending, and aborts an extension in flight rather than wait for it (it may be in a retry). */
  stop(): void;
}

/**
 * Extends `lease` to its full TTL every third of it, so that a run longer than the TTL keeps the job,
 * while a dead instance's lease still runs out one TTL after its last extension. Stops when the lease
 * ends (lost, or about to expire: extending then would take the job back from a successor), but not when
 * the run is asked to stop at shutdown: the method may still be running. A closed store is final: it
 * stops then too, once, rather than fail every third of the TTL, and the run's signal aborts ('store-closed').
 */
export function keepLeaseAlive(lease: RunLease, job: ExclusiveJob, log: JobLog): LeaseKeepAlive {
  const everyMs = Math.min(MAX_TIMER_MS, (job.ttlSeconds * 1000) / 3);
  const stopping = new AbortController();
  let inFlight = false;
  const extendOnce = async (): Promise<void> => {
    try {
      // false: the lease ended (its signal aborted, which stops this and is logged by the run).
      await lease.extend(undefined, { signal: stopping.signal });
    } catch (error) {
      if (stopping.signal.aborted) return;
      if (error instanceof KvStoreClosedError) {
        stop();
        lease.stop('store-closed');
        return;
      }
      log.failed('extend', 'warn', `Job '${job.name}' could not extend its lease (${describeFailure(error)}); it tries again in ${Math.round(everyMs)} ms.`);
    }
  };
  const timer = setInterval(() => {
    if (inFlight || lease.leaseSignal.aborted) return;
    inFlight = true;
    void extendOnce().finally(() => (inFlight = false));
  }, everyMs);
  timer.unref(); // a running method keeps the process alive; the timer alone must not
  const stop = (): void => {
    clearInterval(timer);
    lease.leaseSignal.removeEventListener('abort', stop);
    stopping.abort();
  };
  lease.leaseSignal.addEventListener('abort', stop);
  return { stop };
}
