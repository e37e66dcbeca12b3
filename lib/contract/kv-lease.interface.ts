import type { KvCallOptions } from './kv-store.interface.js';

export interface KvLeaseOptions extends KvCallOptions {
  /** How long the lease lasts unless extended, in seconds (at least 0.1, at most a year; fractions allowed). */
  ttlSeconds: number;
  /** Who holds it, for logs and for whoever reads the lease (at most 512 UTF-8 bytes); the host name, process id and a random suffix by default. */
  owner?: string;
  /**
   * How long to wait for a lease that another owner holds, in milliseconds (at most a day); 0 (do not wait)
   * by default. The call ends within `waitMs` plus the store's `timeoutMs`.
   */
  waitMs?: number;
}

/**
 * A lease on a name: while it lasts no other owner gets it. Each lease is an item of the store's table
 * under `lease:<name>` (after the store's key prefix) that outlives its holders (every write gives it a
 * ten-year TTL, whatever the store's default), so that the fencing token keeps counting up across owners.
 */
export interface KvLease {
  readonly name: string;
  readonly owner: string;
  /**
   * The fencing token: it strictly increases each time the lease changes hands. Pass it to whatever the
   * holder writes, and have that refuse a token lower than the highest it has seen: a holder that paused
   * past its expiry is then refused instead of overwriting its successor's work.
   */
  readonly token: number;
  /** When the lease ends unless extended, by this process's clock; `extend` moves it. */
  readonly expiresAt: Date;
  /**
   * Aborts when the lease ends for this holder: `release()` called, lost (found by extend or release),
   * or a safety margin (a tenth of the TTL, at most a second) before `expiresAt` by this process's clock.
   * Mutual exclusion holds while the holders' clocks differ by less than that margin (docs/leases.md).
   */
  readonly signal: AbortSignal;
  /**
   * Moves the expiry to `ttlSeconds` (the last TTL by default; shorter is allowed; at most a year) from now,
   * keeping the token; false when the lease has ended for this holder (released, expired by this process's
   * clock, taken by another owner, or the new TTL ran out before the answer came). `KvOutcomeUnknownError`
   * when the write could not be settled. Ends within the store's `timeoutMs`.
   */
  extend(ttlSeconds?: number, options?: KvCallOptions): Promise<boolean>;
  /**
   * Frees the lease for the next owner, who gets a greater token; true when it is freed (again true when
   * called once more), false when another owner had taken it over (it never frees someone else's). The
   * signal aborts as soon as it is called. Ends within the store's `timeoutMs`.
   */
  release(options?: KvCallOptions): Promise<boolean>;
}
