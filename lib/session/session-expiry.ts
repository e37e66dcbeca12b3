import { MAX_TTL_SECONDS } from '../input/ttl.validation.js';

/** The cookie fields the expiry is read from: express-session's and @fastify/session's `Cookie` alike, or their JSON. */
export interface SessionCookieExpiry {
  originalMaxAge?: number | null;
  expires?: Date | string | number | null;
  maxAge?: number | null;
}

/** The shortest TTL the store takes: a cookie with no time left still gets a write, never a delete. */
const MIN_TTL_SECONDS = 1;

/**
 * Seconds a session written now lives: its cookie's `originalMaxAge` (milliseconds) counted from now, which
 * is the expiry express-session gives the cookie at the end of the request and @fastify/session gives it
 * when it restores it, or until the cookie's `expires` when that is later; for a cookie without
 * `originalMaxAge`, until `expires`, else its `maxAge`; `defaultSeconds` for a cookie without an expiry.
 *
 * Not `expires` alone: express-session resets it only when it answers, so a session saved by the handler
 * (`req.session.save()`) still carries the `expires` of its last write, which touches (moving the item's
 * TTL only) may have left in the past. Rounded up, so the item never expires before the cookie; at least
 * one second, at most the store's ten-year limit.
 */
export function sessionTtlSeconds(cookie: SessionCookieExpiry | undefined, nowMs: number, defaultSeconds: number): number {
  const leftMs = remainingMs(cookie, nowMs);
  if (leftMs === undefined) return defaultSeconds;
  return Math.min(Math.max(Math.ceil(leftMs / 1000), MIN_TTL_SECONDS), MAX_TTL_SECONDS);
}

function remainingMs(cookie: SessionCookieExpiry | undefined, nowMs: number): number | undefined {
  const untilExpires = expiresAt(cookie?.expires) - nowMs;
  const originalMaxAge = finite(cookie?.originalMaxAge);
  if (originalMaxAge !== undefined) return Number.isNaN(untilExpires) ? originalMaxAge : Math.max(originalMaxAge, untilExpires);
  if (!Number.isNaN(untilExpires)) return untilExpires;
  return finite(cookie?.maxAge);
}

/** Epoch milliseconds of a cookie's `expires`; NaN when it has none. */
function expiresAt(expires: SessionCookieExpiry['expires']): number {
  return expires === undefined || expires === null ? Number.NaN : new Date(expires).getTime();
}

function finite(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
