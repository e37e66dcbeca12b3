import { MAX_TTL_SECONDS } from '../input/ttl.validation.js';
import type { ThrottleAnswer } from './throttle-answer.js';
import { applyHit, isIdle, lifetimeMs, newRecord, pruneRecord, type ThrottleHit } from './throttle-hit.js';
import { decodeRecord, encodeRecord, type ThrottleRecord } from './throttle-record.js';

/** What a round of hits does to the value read from the store: its answers, and what to write, if anything. */
export interface RoundPlan {
  answers: ThrottleAnswer[];
  /** The record after the round, as the store holds it once `write` (if any) is written. */
  record: ThrottleRecord;
  /** The value to write, conditionally on the value read, when the hits changed the record. */
  write?: { value: string; ttlSeconds: number };
}

/**
 * Applies `hits`, in order, at one instant `at`, to the record `current` holds (none, or an idle one: a new
 * record). Throws {@link InvalidThrottleRecordError} for a value that is not a record and
 * {@link ThrottleRecordTooLargeError} for a record over the bound, before anything is written.
 */
export function planRound(current: string | undefined, hits: readonly ThrottleHit[], at: number): RoundPlan {
  const found = current === undefined ? undefined : decodeRecord(current);
  const record = found === undefined || isIdle(found, at) ? newRecord(hits[0]!.ttl, at) : found;
  pruneRecord(record, at);
  let changed = record !== found;
  const answers = hits.map((hit) => {
    const result = applyHit(record, hit, at);
    changed ||= result.changed;
    return result.answer;
  });
  if (!changed) return { answers, record };
  // A second more than the record needs, for instances whose clocks are a little behind this one's.
  const ttlSeconds = Math.min(MAX_TTL_SECONDS, Math.max(0, Math.ceil(lifetimeMs(record, at) / 1000)) + 1);
  return { answers, record, write: { value: encodeRecord(record), ttlSeconds } };
}

/** What hits that ran out of budget under contention get, and how many of them were refused for it alone. */
export interface ContentionAnswers {
  answers: ThrottleAnswer[];
  refusedWithinLimit: number;
}

/**
 * The answers for hits whose budget ran out while other instances kept changing their key's record: as if
 * applied, in order, to the last record read, but never let through, since they were not counted. A hit
 * that record refuses gets that refusal (exact, as the store would have answered it); a hit it would have
 * counted is refused for a second (429 with `Retry-After: 1`) rather than let through uncounted, so that no
 * more than `limit` hits ever get through while DynamoDB answers.
 */
export function contentionAnswers(lastRead: string | undefined, hits: readonly ThrottleHit[], at: number): ContentionAnswers {
  const { answers } = planRoundWithoutWrite(lastRead, hits, at);
  let refusedWithinLimit = 0;
  const refused = answers.map((answer) => {
    if (answer.isBlocked) return answer;
    refusedWithinLimit += 1;
    return { ...answer, isBlocked: true, timeToBlockExpire: 1 };
  });
  return { answers: refused, refusedWithinLimit };
}

/** {@link planRound}, nothing encoded: only the answers count (decoding gives a record of its own to change). */
function planRoundWithoutWrite(current: string | undefined, hits: readonly ThrottleHit[], at: number): { answers: ThrottleAnswer[] } {
  const found = current === undefined ? undefined : decodeRecord(current);
  const record = found === undefined || isIdle(found, at) ? newRecord(hits[0]!.ttl, at) : found;
  pruneRecord(record, at);
  return { answers: hits.map((hit) => applyHit(record, hit, at).answer) };
}
