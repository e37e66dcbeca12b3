import type { LoggerService } from '@nestjs/common';
import { DEFAULT_HOLD_AT_LEAST_SECONDS, type ExclusiveJob } from './kv-exclusive.options.js';
import { schedulePeriodMs } from './schedule-period.js';

/**
 * How long a run of `job` keeps its lease at least, from when it took it, for the decorated `method`
 * (read at its first call: `@Cron` may be applied after `@KvExclusive`). The default is half the
 * schedule's period, which leaves a late instance as long after the tick as the next tick has before it;
 * without a schedule, {@link DEFAULT_HOLD_AT_LEAST_SECONDS}; at most `ttlSeconds` either way, which already
 * bounds how long the job may stay taken after a crash. A hold given that covers the whole period would
 * skip every other tick: said once.
 */
export function holdSecondsOf(job: ExclusiveJob, method: object, logger: LoggerService): number {
  const periodMs = schedulePeriodMs(method);
  if (job.holdAtLeastSeconds === undefined) {
    const fallback = periodMs === undefined ? DEFAULT_HOLD_AT_LEAST_SECONDS : periodMs / 2000;
    return Math.min(fallback, job.ttlSeconds);
  }
  if (periodMs !== undefined && job.holdAtLeastSeconds * 1000 >= periodMs) {
    logger.warn(
      `Job '${job.name}' holds its lease ${job.holdAtLeastSeconds} s after each run, not less than its schedule's period ` +
        `(${periodMs / 1000} s): the next tick finds it taken and is skipped on every instance. Use about half the period.`,
    );
  }
  return job.holdAtLeastSeconds;
}
