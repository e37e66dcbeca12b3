import { AsyncLocalStorage } from 'node:async_hooks';
import type { KvLease } from '../../contract/kv-lease.interface.js';
import { NotInExclusiveRunError } from './kv-exclusive.errors.js';

// The lease reaches the method through the async context rather than as an argument: @nestjs/schedule
// calls a cron handler with cron's own arguments, and other callers of a provider method should not have
// to pass a placeholder; this way the method keeps the signature its callers see.
const runningLease = new AsyncLocalStorage<KvLease>();

/** Runs `run` with `lease` as the one {@link currentKvLease} returns, in it and in everything it awaits. */
export function runWithLease<T>(lease: KvLease, run: () => T): T {
  return runningLease.run(lease, run);
}

/**
 * The lease of the `@KvExclusive` method running now (the innermost one, when they nest): its `token`
 * fences writes downstream, and its `signal` aborts when the lease is lost, or the run must stop with it
 * still held (the app shuts down, the store was closed). Throws `NotInExclusiveRunError` anywhere else.
 */
export function currentKvLease(): KvLease {
  const lease = runningLease.getStore();
  if (lease === undefined) {
    throw new NotInExclusiveRunError('currentKvLease() was called outside a @KvExclusive method (or in work it did not await).');
  }
  return lease;
}
