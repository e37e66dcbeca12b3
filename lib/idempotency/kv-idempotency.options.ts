import type { ExecutionContext } from '@nestjs/common';
import { MAX_TTL_SECONDS } from '../input/ttl.validation.js';
import { InvalidIdempotencyOptionsError } from './idempotency.errors.js';

/** Options of `KvIdempotencyInterceptor`, for every `@Idempotent()` route it serves. */
export interface KvIdempotencyOptions {
  /**
   * Put before every idempotency key in the store (after the store's own `keyPrefix`), so that these
   * records keep to a key space of their own: `idem:` by default.
   */
  keyPrefix?: string;
  /**
   * How long a request's hold on its key lasts unless renewed, in seconds: 60 by default. While the handler
   * runs, the interceptor renews it every third of this, so a handler may run longer. It is how long a key
   * stays in use (409) after an instance died mid-run, before a retry can run the handler again.
   */
  inProgressTtlSeconds?: number;
  /** How long a completed response is kept and replayed, in seconds: a day (86,400) by default. */
  keepSeconds?: number;
  /**
   * The response headers stored with a completed response and sent again with its replays, when the
   * handler set them: {@link DEFAULT_IDEMPOTENCY_SETTINGS}' list by default. `Set-Cookie` is refused: a
   * replay must never hand out the first caller's cookies.
   */
  replayedHeaders?: readonly string[];
  /**
   * Who a key belongs to, such as the authenticated client's id or tenant: keys are then separate per
   * scope, so that a client who learns another's key cannot get that client's response. Undefined (the
   * default, or what it returns for a request) shares the key space among every client of the route.
   * Called for each request with a key, after the guards ran, so it can read what an auth guard set.
   */
  scope?: (context: ExecutionContext) => string | undefined;
}

/** Options of one route, over the interceptor's. */
export interface IdempotentRouteOptions {
  /** Answer 400 to a request without an `Idempotency-Key` header; false (run it without a key) by default. */
  required?: boolean;
  /** This route's {@link KvIdempotencyOptions.inProgressTtlSeconds}. */
  inProgressTtlSeconds?: number;
  /** This route's {@link KvIdempotencyOptions.keepSeconds}. */
  keepSeconds?: number;
}

export interface IdempotencySettings {
  keyPrefix: string;
  inProgressTtlSeconds: number;
  keepSeconds: number;
  /** Lower-case header names. */
  replayedHeaders: readonly string[];
  scope?: (context: ExecutionContext) => string | undefined;
}

export const DEFAULT_IDEMPOTENCY_SETTINGS: Readonly<IdempotencySettings> = Object.freeze({
  keyPrefix: 'idem:',
  inProgressTtlSeconds: 60,
  keepSeconds: 86_400,
  // What describes the result (where the created resource is, its version and type), not the exchange.
  replayedHeaders: Object.freeze(['content-type', 'location', 'content-location', 'etag', 'last-modified']),
});

/** A key prefix longer than this would leave too little of DynamoDB's 2048-byte key for the key itself. */
const MAX_KEY_PREFIX_BYTES = 1024;

/** RFC 9110's token: the characters a header name may have. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** The interceptor's options checked once, with their defaults. */
export function resolveIdempotencySettings(options: KvIdempotencyOptions = {}): IdempotencySettings {
  const defaults = DEFAULT_IDEMPOTENCY_SETTINGS;
  const keyPrefix = options.keyPrefix ?? defaults.keyPrefix;
  checkKeyPrefix(keyPrefix);
  if (options.scope !== undefined && typeof options.scope !== 'function') {
    throw new InvalidIdempotencyOptionsError('scope', `must be a function of the request's ExecutionContext, got ${typeof options.scope}.`);
  }
  return {
    keyPrefix,
    ...(options.scope === undefined ? {} : { scope: options.scope }),
    inProgressTtlSeconds: checkedSeconds('inProgressTtlSeconds', options.inProgressTtlSeconds, defaults.inProgressTtlSeconds),
    keepSeconds: checkedSeconds('keepSeconds', options.keepSeconds, defaults.keepSeconds),
    replayedHeaders: checkedHeaders(options.replayedHeaders ?? defaults.replayedHeaders),
  };
}

/** A route's options checked when the decorator is applied, so that a mistake fails at start-up. */
export function checkRouteOptions(options: IdempotentRouteOptions): void {
  if (options.required !== undefined && typeof options.required !== 'boolean') {
    throw new InvalidIdempotencyOptionsError('required', `must be true or false, got ${typeof options.required}.`);
  }
  if (options.inProgressTtlSeconds !== undefined) checkedSeconds('inProgressTtlSeconds', options.inProgressTtlSeconds, 0);
  if (options.keepSeconds !== undefined) checkedSeconds('keepSeconds', options.keepSeconds, 0);
}

function checkKeyPrefix(keyPrefix: unknown): void {
  if (typeof keyPrefix !== 'string') throw new InvalidIdempotencyOptionsError('keyPrefix', `must be a string, got ${typeof keyPrefix}.`);
  if (!keyPrefix.isWellFormed()) throw new InvalidIdempotencyOptionsError('keyPrefix', 'has a lone surrogate, which has no UTF-8 form.');
  if (Buffer.byteLength(keyPrefix, 'utf8') > MAX_KEY_PREFIX_BYTES) {
    throw new InvalidIdempotencyOptionsError('keyPrefix', `must be at most ${MAX_KEY_PREFIX_BYTES} UTF-8 bytes.`);
  }
}

function checkedSeconds(option: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_TTL_SECONDS) {
    throw new InvalidIdempotencyOptionsError(option, `must be a whole number of seconds from 1 to ${MAX_TTL_SECONDS} (ten years), got ${String(value)}.`);
  }
  return value;
}

function checkedHeaders(names: unknown): readonly string[] {
  if (!Array.isArray(names)) throw new InvalidIdempotencyOptionsError('replayedHeaders', 'must be an array of header names.');
  return names.map((name: unknown) => {
    if (typeof name !== 'string' || !HEADER_NAME.test(name)) {
      throw new InvalidIdempotencyOptionsError('replayedHeaders', `has ${JSON.stringify(name) ?? String(name)}, which is not a header name.`);
    }
    const lower = name.toLowerCase();
    if (lower === 'set-cookie') throw new InvalidIdempotencyOptionsError('replayedHeaders', "must not have 'set-cookie': a replay would hand out the first caller's cookies.");
    return lower;
  });
}
