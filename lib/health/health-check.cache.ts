import type { KvHealth } from '../kv-store.interface.js';

/**
 * One store's latest health result. DescribeTable has low, separate rate limits, so probes within the TTL
 * reuse the result, and concurrent probes share one in-flight call.
 */
export class HealthCheckCache {
  private latest?: { result: Promise<KvHealth>; expiresAt: number };

  constructor(private readonly ttlMs: number) {}

  /** `check` must not reject: a health check reports failures as DOWN. */
  get(check: () => Promise<KvHealth>): Promise<KvHealth> {
    if (this.latest && this.latest.expiresAt > Date.now()) return this.latest.result;
    const entry = { result: check(), expiresAt: Number.POSITIVE_INFINITY };
    this.latest = entry;
    void entry.result.then(() => {
      entry.expiresAt = Date.now() + this.ttlMs;
    });
    return entry.result;
  }
}
