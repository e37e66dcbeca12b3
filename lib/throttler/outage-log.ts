import type { LoggerService } from '@nestjs/common';

/** At most one warning per interval while the events go on, with a count of those it stands for. */
const LOG_INTERVAL_MS = 10_000;

/** The most distinct reasons one warning lists; more are counted together. */
const MAX_REASONS = 8;

/**
 * Warns about requests the storage could not answer from the store, without flooding the log in an outage:
 * one line per ten seconds, which counts every request since the previous one by reason. Never names a
 * key: keys hold the clients' trackers (IPs).
 */
export class OutageLog {
  private lastWarning = Number.NEGATIVE_INFINITY;
  private readonly reasons = new Map<string, number>();

  constructor(
    private readonly logger: LoggerService,
    /** The line's start, for `count` requests: what happened to them. */
    private readonly headline: (count: number) => string,
  ) {}

  report(count: number, reason: string): void {
    const key = this.reasons.has(reason) || this.reasons.size < MAX_REASONS ? reason : 'for other reasons';
    this.reasons.set(key, (this.reasons.get(key) ?? 0) + count);
    const now = performance.now();
    if (now - this.lastWarning < LOG_INTERVAL_MS) return;
    const total = [...this.reasons.values()].reduce((sum, each) => sum + each, 0);
    const since = Number.isFinite(this.lastWarning) ? ' since the previous warning' : '';
    const why = [...this.reasons].map(([text, times]) => (this.reasons.size === 1 ? text : `${times} × ${text}`)).join(' | ');
    this.logger.warn(`${this.headline(total)}${since}. ${why}`);
    this.lastWarning = now;
    this.reasons.clear();
  }
}

/** "a request was" or "12 requests were". */
export function requestsWere(count: number): string {
  return count === 1 ? 'a request was' : `${count} requests were`;
}
