import { describeFailure } from './describe-failure.js';
import type { JobLog } from './job-log.js';
import type { ExclusiveJob } from './kv-exclusive.options.js';
import type { RunLease } from './run-lease.js';

/**
 * What ending a lease found: it ended as meant, or the lease had ended before (`'not-ours'`: another owner's,
 * or it ran out while being shortened; the lease's signal says which).
 */
export type LeaseEnding = 'ended' | 'not-ours';

/**
 * Ends the lease of a finished run. While `holdMs` is left of its hold, it shortens the lease to end then
 * instead of releasing it: an instance whose lease request for the same tick is answered late still finds
 * it taken, and nothing has to stay alive here to let go of it (a crash is covered too).
 */
export async function endLease(lease: RunLease, holdMs: number, job: ExclusiveJob, log: JobLog): Promise<LeaseEnding> {
  try {
    const ended = holdMs > 0 ? await lease.extend(holdMs / 1000) : await lease.release();
    return ended ? 'ended' : 'not-ours';
  } catch (error) {
    // The run's outcome stands; the lease just lasts until its expiry, and the job's next runs wait for it.
    log.failed(
      'end',
      'warn',
      `Job '${job.name}' could not ${holdMs > 0 ? 'shorten' : 'release'} its lease (${describeFailure(error)}); ` +
        `it may stay taken until ${lease.expiresAt.toISOString()}.`,
    );
    return 'ended';
  }
}
