/**
 * One store's latest health result, resolved or rejected. DescribeTable has low, separate rate limits, so
 * checks within the TTL reuse the result, and concurrent checks share one in-flight call.
 */
export class HealthCheckCache<T> {
  private latest?: { result: Promise<T>; expiresAt: number };

  constructor(private readonly ttlMs: number) {}

  get(check: () => Promise<T>): Promise<T> {
    if (this.latest && this.latest.expiresAt > Date.now()) return this.latest.result;
    const entry = { result: check(), expiresAt: Number.POSITIVE_INFINITY };
    this.latest = entry;
    const expire = (): void => {
      entry.expiresAt = Date.now() + this.ttlMs;
    };
    // A cached rejection is handled by whoever awaits it; this handler only starts the TTL.
    entry.result.then(expire, expire);
    return entry.result;
  }
}
