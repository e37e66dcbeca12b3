import { DEFAULT_STORE_NAME } from '../../contract/kv-store.tokens.js';
import { assertValidKey } from '../../input/kv-input.validation.js';
import { LEASE_KEY_PREFIX, MAX_LEASE_TTL_SECONDS } from '../leases/lease-options.js';
import { KvExclusiveOptionsError } from './kv-exclusive.errors.js';

/**
 * The hold of a method with no `@Cron` or `@Interval` schedule on it, at most `ttlSeconds`: a few times
 * the store's default call budget (3 s), so that instances whose lease requests are answered that much
 * apart still count as one call (see `holdAtLeastSeconds`).
 */
export const DEFAULT_HOLD_AT_LEAST_SECONDS = 10;

export interface KvExclusiveOptions {
  /**
   * How long the lease lasts without renewal, in seconds (fractions allowed). While the method runs the
   * lease is extended every `ttlSeconds / 3`; if the instance dies, another takes the job over this long
   * after the last renewal, not before.
   */
  ttlSeconds: number;
  /** The store registered with `DynamoKvModule.forRoot({ name })` that holds the lease; the default store when omitted. */
  store?: string;
  /**
   * A run that finishes sooner keeps the lease until this many seconds after it was taken, so that an
   * instance whose lease request for the same tick is answered later finds it taken and skips (ShedLock's
   * `lockAtLeastFor`). Keep it above the latest moment after a tick at which an instance's lease request
   * is answered, and below the schedule's period minus that. By default half the period of the method's
   * `@Cron` or `@Interval` schedule, and `DEFAULT_HOLD_AT_LEAST_SECONDS` without one, at most `ttlSeconds`
   * either way; 0 releases at once.
   */
  holdAtLeastSeconds?: number;
  /**
   * When taking the lease fails (DynamoDB out of reach, say): `'skip'` (the default) logs an error line
   * (one per job every 10 seconds at most) and resolves undefined, as a skipped run does, and the next tick
   * tries again; `'throw'` rejects with the store's error, for callers that must know the job did not run.
   * Either way the method does not run.
   */
  onLeaseError?: 'skip' | 'throw';
}

/** Options checked once, when the class is declared, with the defaults that do not depend on the method filled in. */
export interface ExclusiveJob {
  readonly name: string;
  readonly ttlSeconds: number;
  readonly store: string;
  /** As given; undefined when the default (from the method's schedule) applies. */
  readonly holdAtLeastSeconds: number | undefined;
  readonly onLeaseError: 'skip' | 'throw';
}

export function resolveExclusiveJob(name: unknown, options: KvExclusiveOptions | undefined): ExclusiveJob {
  assertLeaseName(name);
  if (options === null || typeof options !== 'object') throw new KvExclusiveOptionsError('options', 'must be an object with ttlSeconds.');
  const { ttlSeconds, store = DEFAULT_STORE_NAME, holdAtLeastSeconds, onLeaseError = 'skip' } = options;
  assertSeconds('ttlSeconds', ttlSeconds, false);
  if (holdAtLeastSeconds !== undefined) assertSeconds('holdAtLeastSeconds', holdAtLeastSeconds, true);
  if (typeof store !== 'string' || store.length === 0) throw new KvExclusiveOptionsError('store', 'must be a non-empty store name.');
  if (onLeaseError !== 'skip' && onLeaseError !== 'throw') throw new KvExclusiveOptionsError('onLeaseError', "must be 'skip' or 'throw'.");
  return { name, ttlSeconds, store, holdAtLeastSeconds, onLeaseError };
}

/**
 * The name is a key of the store (`lease:<name>`): checked as one here, with `lease:` counted in, so that
 * a name no tick could ever take fails when the class is declared. The store's own `keyPrefix` is only
 * known at the call, which checks again with it.
 */
function assertLeaseName(name: unknown): asserts name is string {
  try {
    assertValidKey(name, { operation: 'acquire_lease' }, Buffer.byteLength(LEASE_KEY_PREFIX, 'utf8'));
  } catch (error) {
    throw new KvExclusiveOptionsError('name', `must be a valid lease name: ${(error as Error).message}`, error);
  }
}

/** A lease's own bound: the TTL and the hold never outlast it. */
function assertSeconds(option: string, seconds: unknown, zeroAllowed: boolean): asserts seconds is number {
  const inRange = typeof seconds === 'number' && (zeroAllowed ? seconds >= 0 : seconds > 0) && seconds <= MAX_LEASE_TTL_SECONDS;
  if (!inRange) {
    const range = zeroAllowed ? `0 to ${MAX_LEASE_TTL_SECONDS}` : `more than 0, at most ${MAX_LEASE_TTL_SECONDS}`;
    throw new KvExclusiveOptionsError(option, `must be a number of seconds (${range}; fractions allowed), got ${String(seconds)}.`);
  }
}
