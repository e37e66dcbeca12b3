import type { KvLease } from '../../contract/kv-lease.interface.js';
import type { KvCallOptions } from '../../contract/kv-store.interface.js';

/**
 * Why a run's signal aborted, as its reason's `cause`: the lease's own reasons ('released', 'lost',
 * 'expiring'), or one of these, which end the run while the lease is still held.
 */
export type RunStop = 'shutdown' | 'store-closed';

const STOP_MESSAGES: Record<RunStop, string> = {
  shutdown: 'The app is shutting down: stop; the lease is released once the method returns.',
  'store-closed': 'The store was closed: the lease can no longer be extended, and ends at its expiry.',
};

/** The reason's `cause` of an aborted signal (the lease's, or a run's), when it is a string. */
export function stopCause(signal: AbortSignal): string | undefined {
  const reason: unknown = signal.reason;
  return reason instanceof Error && typeof reason.cause === 'string' ? reason.cause : undefined;
}

/**
 * The lease a `@KvExclusive` method sees (`currentKvLease()`): the lease itself, but with a signal that
 * also aborts when the run must stop with the lease still held (the app shuts down, the store closed),
 * which the lease's own signal does not know about.
 */
export class RunLease implements KvLease {
  readonly signal: AbortSignal;
  private readonly stopper = new AbortController();

  constructor(private readonly lease: KvLease) {
    this.signal = AbortSignal.any([lease.signal, this.stopper.signal]);
  }

  get name(): string {
    return this.lease.name;
  }

  get owner(): string {
    return this.lease.owner;
  }

  get token(): number {
    return this.lease.token;
  }

  get expiresAt(): Date {
    return this.lease.expiresAt;
  }

  /** The lease's own signal: it aborts when the lease ends for this holder (released, lost, about to expire). */
  get leaseSignal(): AbortSignal {
    return this.lease.signal;
  }

  extend(ttlSeconds?: number, options?: KvCallOptions): Promise<boolean> {
    return this.lease.extend(ttlSeconds, options);
  }

  release(options?: KvCallOptions): Promise<boolean> {
    return this.lease.release(options);
  }

  /** Aborts the run's signal (not the lease's: the lease stays held until released or expired). */
  stop(why: RunStop): void {
    if (!this.stopper.signal.aborted) this.stopper.abort(new Error(STOP_MESSAGES[why], { cause: why }));
  }
}
