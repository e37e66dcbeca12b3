import { InvalidThrottleRecordError, ThrottleRecordTooLargeError } from './throttler-storage.errors.js';

/**
 * What `@nestjs/throttler`'s in-memory storage keeps for one key, in the same terms, so that the same
 * steps give the same answers: the window (`expiresAt`), the block, and for each throttler name the expiry
 * time of every hit it counted. Times are epoch milliseconds.
 */
export interface ThrottleRecord {
  /** When the current window ends: `timeToExpire` counts down to it. */
  expiresAt: number;
  /** When the block ends; 0 when the key was never blocked. */
  blockExpiresAt: number;
  isBlocked: boolean;
  /** Per throttler name, when each counted hit expires, in ascending order. */
  hits: Map<string, number[]>;
}

/**
 * The most a stored record may take, in UTF-8 bytes: far below DynamoDB's 400 KB item limit (with the
 * key and the store's attributes), and a compare-and-swap sends the old value with the new one. One
 * throttler's hits always fit (see MAX_THROTTLE_LIMIT); only several large throttlers sharing one key
 * can reach it, and are then refused with {@link ThrottleRecordTooLargeError} before anything is sent.
 */
export const MAX_THROTTLE_RECORD_BYTES = 64 * 1024;

/** The stored form's version: a record of another shape is refused, never misread. */
const VERSION = 2;

/** A gap in base 36: at most 11 digits for a safe integer. */
const GAP = /^[0-9a-z]{1,11}$/;

/**
 * The record as stored: JSON, each throttler's hits as one string, its first time and then the gaps
 * between times in base 36 (two or three characters a hit at common limits instead of 14), so that a
 * window of a few hundred hits stays within one write capacity unit (1 KB). Throttlers without a live
 * hit are left out.
 */
export function encodeRecord(record: ThrottleRecord): string {
  const hits: Array<[string, string]> = [];
  for (const [name, times] of record.hits) {
    if (times.length === 0) continue;
    hits.push([name, times.map((time, index) => (index === 0 ? time : time - times[index - 1]!).toString(36)).join(',')]);
  }
  const value = JSON.stringify({ v: VERSION, e: record.expiresAt, b: record.blockExpiresAt, k: record.isBlocked ? 1 : 0, h: hits });
  const bytes = Buffer.byteLength(value);
  if (bytes > MAX_THROTTLE_RECORD_BYTES) throw new ThrottleRecordTooLargeError(bytes, MAX_THROTTLE_RECORD_BYTES);
  return value;
}

/** The record a stored value holds; {@link InvalidThrottleRecordError} when it holds anything else. */
export function decodeRecord(value: string): ThrottleRecord {
  let stored: unknown;
  try {
    stored = JSON.parse(value);
  } catch {
    throw new InvalidThrottleRecordError();
  }
  const { v, e, b, k, h } = (stored ?? {}) as Record<string, unknown>;
  if (v !== VERSION || !isTime(e) || !isTime(b) || (k !== 0 && k !== 1) || !Array.isArray(h)) throw new InvalidThrottleRecordError();
  const hits = new Map<string, number[]>();
  for (const entry of h as unknown[]) {
    if (!Array.isArray(entry) || entry.length !== 2 || typeof entry[0] !== 'string' || typeof entry[1] !== 'string') throw new InvalidThrottleRecordError();
    hits.set(entry[0], decodeTimes(entry[1]));
  }
  return { expiresAt: e, blockExpiresAt: b, isBlocked: k === 1, hits };
}

function decodeTimes(text: string): number[] {
  const times: number[] = [];
  for (const gap of text.split(',')) {
    if (!GAP.test(gap)) throw new InvalidThrottleRecordError();
    const time = (times.length === 0 ? 0 : times[times.length - 1]!) + parseInt(gap, 36);
    if (!isTime(time)) throw new InvalidThrottleRecordError();
    times.push(time);
  }
  return times;
}

function isTime(input: unknown): input is number {
  return typeof input === 'number' && Number.isSafeInteger(input) && input >= 0;
}
