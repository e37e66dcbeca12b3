import type { KVStore } from '../../contract/kv-store.interface.js';
import type { ExclusiveRuns } from './exclusive-runs.js';
import { ExclusiveRun } from './exclusive-run.js';
import type { JobLog } from './job-log.js';
import type { ExclusiveJob } from './kv-exclusive.options.js';

/** What one call of a decorated method runs with. */
export interface ExclusiveCall {
  store: KVStore;
  /** The app's shutdown tracker; absent when the store was registered without `DynamoKvModule` or `DynamoKvTestingModule`. */
  runs: ExclusiveRuns | undefined;
  job: ExclusiveJob;
  holdSeconds: number;
  log: JobLog;
}

/**
 * Runs `method` if this instance takes the job's lease, without waiting for it: resolves what `method`
 * resolves, or undefined when another instance holds the lease (the job runs there), when taking it failed
 * (with `onLeaseError: 'skip'`) or when the app is shutting down. The lease is kept alive while `method`
 * runs and ended when it settles, whether it resolved or threw.
 */
export async function runExclusive<T>(call: ExclusiveCall, method: () => T | Promise<T>): Promise<T | undefined> {
  const run = new ExclusiveRun(call.job, call.holdSeconds, call.log);
  if (call.runs !== undefined && !call.runs.track(run)) {
    call.log.debug(`Job '${call.job.name}' did not run: the app is shutting down.`);
    return undefined;
  }
  try {
    const lease = await run.take(call.store);
    return lease === undefined ? undefined : await run.run(lease, method);
  } finally {
    await run.end();
  }
}
