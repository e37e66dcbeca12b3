import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { InvalidOptionsError, InvalidTtlError } from '../../contract/kv-store.errors.js';
import type { KvOperation } from '../../contract/kv-store.interface.js';
import { assertValidKey, describeType } from '../../input/kv-input.validation.js';

/**
 * Put before every lease name (after the store's own `keyPrefix`): a lease then never shares an item with
 * a plain key of the same name, and `listKeys({ prefix: 'lease:' })` finds the leases.
 */
export const LEASE_KEY_PREFIX = 'lease:';
/** The longest `waitMs`: a day. Waiting longer is a job for a queue, not a blocked call. */
export const MAX_WAIT_MS = 24 * 60 * 60 * 1000;
/** The longest `owner`, in UTF-8 bytes: enough for a host name, a process id and a suffix. */
export const MAX_OWNER_BYTES = 512;
/** The longest safety margin: a holder stops this long before its lease's expiry at most (see {@link safetyMarginMs}). */
export const MAX_SAFETY_MARGIN_MS = 1_000;
/**
 * The longest lease TTL: a year. A lease's item gets the store's longest TTL (ten years) at each write, so
 * that it outlives every lease by years and the token never restarts while a lease could still be in use.
 */
export const MAX_LEASE_TTL_SECONDS = 365 * 24 * 60 * 60;
/**
 * The shortest TTL `acquireLease` takes: 0.1 s. A shorter lease would be over before most answers arrive,
 * and the call would only write again and again until its time ran out. (`extend` takes any positive TTL:
 * shortening a lease to end now is a use of its own.)
 */
export const MIN_ACQUIRE_TTL_SECONDS = 0.1;

/** Where a check runs: the lease operation and the store's table, which every error names. */
export interface LeasePlace {
  operation: KvOperation;
  table: string;
}

/** An `acquireLease` call's checked input. */
export interface LeaseRequest {
  name: string;
  /** The stored key, without the store's keyPrefix (the store adds it). */
  key: string;
  ttlMs: number;
  owner: string;
  waitMs: number;
  signal?: AbortSignal;
}

/**
 * Checks everything `acquireLease` was given before any request: the name as a key (with both prefixes
 * counted in), then the options. Throws the typed error of the first problem.
 */
export function leaseRequest(name: unknown, options: unknown, keyPrefix: string, place: LeasePlace): LeaseRequest {
  const prefixBytes = Buffer.byteLength(keyPrefix + LEASE_KEY_PREFIX, 'utf8');
  assertValidKey(name, place, prefixBytes);
  if (options === null || typeof options !== 'object') {
    throw new InvalidTtlError(`acquireLease needs options with ttlSeconds, got ${describeType(options)}.`, place);
  }
  const { ttlSeconds, owner = defaultOwner(), waitMs = 0, signal } = options as Record<string, unknown>;
  assertLeaseTtl(ttlSeconds, place);
  if (ttlSeconds < MIN_ACQUIRE_TTL_SECONDS) {
    throw new InvalidTtlError(`acquireLease needs a lease of at least ${MIN_ACQUIRE_TTL_SECONDS} seconds, got ${ttlSeconds}.`, place);
  }
  assertWaitMs(waitMs, place);
  assertOwner(owner, place);
  return { name, key: LEASE_KEY_PREFIX + name, ttlMs: ttlSeconds * 1000, owner, waitMs, signal: signal as AbortSignal | undefined };
}

/** A lease TTL: a finite number of seconds, more than 0 and at most a year; fractions allowed. */
export function assertLeaseTtl(ttlSeconds: unknown, place: LeasePlace): asserts ttlSeconds is number {
  if (typeof ttlSeconds !== 'number' || !Number.isFinite(ttlSeconds)) {
    throw new InvalidTtlError(`a lease needs a finite number of seconds, got ${describe(ttlSeconds)}.`, place);
  }
  if (ttlSeconds <= 0 || ttlSeconds > MAX_LEASE_TTL_SECONDS) {
    throw new InvalidTtlError(`a lease lasts more than 0 seconds and at most a year (${MAX_LEASE_TTL_SECONDS}), got ${ttlSeconds}.`, place);
  }
}

/**
 * How long before its expiry a holder treats its lease as over (its signal aborts): a tenth of the TTL,
 * at most a second. Mutual exclusion holds while the holders' clocks differ by less than this.
 */
export function safetyMarginMs(ttlMs: number): number {
  return Math.min(MAX_SAFETY_MARGIN_MS, ttlMs / 10);
}

/** When a holder stops counting on a lease that expires at `expiresAtMs`, taken or last extended for `ttlMs`. */
export function holderDeadlineMs(expiresAtMs: number, ttlMs: number): number {
  return expiresAtMs - safetyMarginMs(ttlMs);
}

function assertWaitMs(waitMs: unknown, place: LeasePlace): asserts waitMs is number {
  if (typeof waitMs !== 'number' || !Number.isFinite(waitMs) || waitMs < 0 || waitMs > MAX_WAIT_MS) {
    throw callOptionError('waitMs', `must be a number of milliseconds from 0 to ${MAX_WAIT_MS} (a day), got ${describe(waitMs)}.`, place);
  }
}

function assertOwner(owner: unknown, place: LeasePlace): asserts owner is string {
  if (typeof owner !== 'string' || owner.length === 0 || !owner.isWellFormed()) {
    throw callOptionError('owner', `must be a non-empty string without lone surrogates, got ${owner === '' ? 'an empty string' : describeType(owner)}.`, place);
  }
  const bytes = Buffer.byteLength(owner, 'utf8');
  if (bytes > MAX_OWNER_BYTES) throw callOptionError('owner', `is ${bytes} UTF-8 bytes; at most ${MAX_OWNER_BYTES} are allowed.`, place);
}

/** The host, the process and a random suffix: two stores of one process get different owners. */
function defaultOwner(): string {
  return `${hostname()}#${process.pid}#${randomBytes(4).toString('hex')}`;
}

/** A number as itself (NaN, Infinity, -5), anything else by its type: option values stay off messages otherwise. */
function describe(input: unknown): string {
  return typeof input === 'number' ? String(input) : describeType(input);
}

/** `InvalidOptionsError` for an option of one call, naming the call and the table. */
function callOptionError(option: string, reason: string, place: LeasePlace): InvalidOptionsError {
  return new InvalidOptionsError(option, reason, undefined, place);
}
