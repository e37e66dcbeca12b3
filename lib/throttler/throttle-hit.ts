import type { ThrottleAnswer } from './throttle-answer.js';
import type { ThrottleRecord } from './throttle-record.js';

/** One call of `increment`, its arguments checked (see throttle-arguments.ts). Times in milliseconds. */
export interface ThrottleHit {
  ttl: number;
  limit: number;
  blockDuration: number;
  throttlerName: string;
}

export interface HitResult {
  answer: ThrottleAnswer;
  /**
   * Whether the hit changed what must be stored: a counted hit, a window started or restarted, a block
   * set or lifted. Dropping expired hits is not such a change: the next reader drops them the same way.
   */
  changed: boolean;
}

/**
 * The in-memory storage's `pruneExpiredHits`, for every throttler of the record at once: the hits of a
 * round are applied at one instant, so one prune serves them all (a hit counted at `now` expires after
 * it). Binary search, then one cut: the lists are in ascending order.
 */
export function pruneRecord(record: ThrottleRecord, now: number): void {
  for (const hits of record.hits.values()) {
    const live = firstAfter(hits, now);
    if (live > 0) hits.splice(0, live);
  }
}

/**
 * `ThrottlerStorageService.increment` of `@nestjs/throttler` 6.7, step by step, on `record` (which it
 * updates) at `now`, the record pruned at `now` ({@link pruneRecord}): the same answers from the same
 * record, so that every instance sharing the record answers as one in-memory storage would. The comments
 * name the in-memory storage's steps.
 */
export function applyHit(record: ThrottleRecord, hit: ThrottleHit, now: number): HitResult {
  const { ttl, limit, blockDuration, throttlerName } = hit;
  let changed = false;
  // getHitExpirations (pruned already)
  let hits = record.hits.get(throttlerName) ?? [];
  record.hits.set(throttlerName, hits);
  const fire = (): void => {
    insertInOrder(hits, now + ttl);
    changed = true;
  };
  // getExpirationTime; a window that ended restarts now.
  let timeToExpire = secondsUntil(record.expiresAt, now);
  if (timeToExpire <= 0) {
    record.expiresAt = now + ttl;
    timeToExpire = secondsUntil(record.expiresAt, now);
    changed = true;
  }
  // incrementWithoutBlock
  if (blockDuration <= 0) {
    const isBlocked = hits.length >= limit;
    if (!isBlocked) fire();
    const timeToBlockExpire = hits.length > 0 ? secondsUntil(hits[0]!, now) : timeToExpire;
    return {
      answer: { totalHits: hits.length + (isBlocked ? 1 : 0), timeToExpire, isBlocked, timeToBlockExpire: isBlocked ? timeToBlockExpire : 0 },
      changed,
    };
  }
  if (!record.isBlocked) fire();
  if (hits.length > limit && !record.isBlocked) {
    record.isBlocked = true;
    record.blockExpiresAt = now + blockDuration;
    changed = true;
  }
  const timeToBlockExpire = secondsUntil(record.blockExpiresAt, now);
  // resetBlockedRequest, then fireHitCount
  if (timeToBlockExpire <= 0 && record.isBlocked) {
    record.isBlocked = false;
    hits = [];
    record.hits.set(throttlerName, hits);
    fire();
  }
  return { answer: { totalHits: hits.length, timeToExpire, isBlocked: record.isBlocked, timeToBlockExpire }, changed };
}

/**
 * What {@link applyHit} would answer at `now` when the hit changes nothing, without touching `record`
 * (pruned or not); undefined when it would change something. A hit changes nothing only when it is
 * refused in a state that no hit of any instance can end before some time passes: the key blocked (until
 * its block ends), or, without blocking, the throttler at its limit (until its oldest hit expires), within
 * the window. So an instance may answer such hits from a record it has seen, however old, without asking
 * the store: every other instance applying hits to the record leaves that state as it is.
 */
export function answerIfUnchanged(record: ThrottleRecord, hit: ThrottleHit, now: number): ThrottleAnswer | undefined {
  const timeToExpire = secondsUntil(record.expiresAt, now);
  if (timeToExpire <= 0) return undefined;
  const hits = record.hits.get(hit.throttlerName) ?? [];
  const first = firstAfter(hits, now);
  const live = hits.length - first;
  if (hit.blockDuration <= 0) {
    if (live < hit.limit) return undefined;
    return { totalHits: live + 1, timeToExpire, isBlocked: true, timeToBlockExpire: live > 0 ? secondsUntil(hits[first]!, now) : timeToExpire };
  }
  if (!record.isBlocked) return undefined;
  const timeToBlockExpire = secondsUntil(record.blockExpiresAt, now);
  if (timeToBlockExpire <= 0) return undefined;
  return { totalHits: live, timeToExpire, isBlocked: true, timeToBlockExpire };
}

/** A new record, as the in-memory storage makes one for a key it does not hold. */
export function newRecord(ttl: number, now: number): ThrottleRecord {
  return { expiresAt: now + ttl, blockExpiresAt: 0, isBlocked: false, hits: new Map() };
}

/**
 * Whether the in-memory storage's sweep (every minute) would forget the record: no block, window or hit
 * left. Such a record is read as absent, so the answers are the in-memory storage's after its sweep; before
 * its sweep, the in-memory storage would answer from the stale record, which changes only the
 * `timeToBlockExpire` of unblocked answers (the guard ignores it) for any limit of 1 or more.
 */
export function isIdle(record: ThrottleRecord, now: number): boolean {
  if (record.isBlocked && record.blockExpiresAt > now) return false;
  if (record.expiresAt > now) return false;
  return ![...record.hits.values()].some((hits) => hits.length > 0 && hits[hits.length - 1]! > now);
}

/**
 * How long the stored record must live, in milliseconds: until it is idle (its window, its block and its
 * last hit ended). Until then the store must keep it; after, reading it or not gives the same answers.
 */
export function lifetimeMs(record: ThrottleRecord, now: number): number {
  let end = record.expiresAt;
  if (record.isBlocked) end = Math.max(end, record.blockExpiresAt);
  for (const hits of record.hits.values()) if (hits.length > 0) end = Math.max(end, hits[hits.length - 1]!);
  return end - now;
}

/** The in-memory storage's `Math.ceil((time - Date.now()) / 1000)`. */
function secondsUntil(time: number, now: number): number {
  return Math.ceil((time - now) / 1000);
}

/** The index of the first time after `now` in the ascending `times` (their length when none is). */
function firstAfter(times: readonly number[], now: number): number {
  let low = 0;
  let high = times.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (times[middle]! > now) high = middle;
    else low = middle + 1;
  }
  return low;
}

/** Keeps `times` ascending: a hit of a shorter ttl can expire before older ones. Usually an append. */
function insertInOrder(times: number[], time: number): void {
  if (times.length === 0 || times[times.length - 1]! <= time) {
    times.push(time);
    return;
  }
  times.splice(firstAfter(times, time), 0, time);
}
