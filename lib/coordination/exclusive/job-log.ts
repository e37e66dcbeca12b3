import type { LoggerService } from '@nestjs/common';

/** The least time between two lines of one kind about one job while failures go on. */
export const REPEAT_INTERVAL_MS = 10_000;

/** The kinds of failure that repeat with every tick or every extension while DynamoDB is out of reach. */
export type RepeatedFailure = 'take' | 'extend' | 'end';

/**
 * One job's log lines (context `KvExclusive`). A failure that repeats (every tick, every third of the TTL)
 * in an outage is logged once per {@link REPEAT_INTERVAL_MS} at most, the next line counting those left
 * out: the store logs each failed call already. Lines about one run (a lost lease, shutdown) always go out.
 */
export class JobLog {
  private readonly repeats = new Map<RepeatedFailure, { lastMs: number; leftOut: number }>();

  constructor(private readonly logger: LoggerService) {}

  debug(message: string): void {
    this.logger.debug?.(message);
  }

  warn(message: string): void {
    this.logger.warn(message);
  }

  /** A failure of `kind`: logged unless one of that kind was within the interval (then counted). */
  failed(kind: RepeatedFailure, level: 'error' | 'warn', message: string): void {
    const now = performance.now();
    const last = this.repeats.get(kind);
    if (last !== undefined && now - last.lastMs < REPEAT_INTERVAL_MS) {
      last.leftOut += 1;
      return;
    }
    const leftOut = last?.leftOut ?? 0;
    const more = leftOut === 0 ? '' : ` (${leftOut} more like it since the previous line were not logged.)`;
    this.logger[level](message + more);
    this.repeats.set(kind, { lastMs: now, leftOut: 0 });
  }
}
