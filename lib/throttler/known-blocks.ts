import type { ThrottleRecord } from './throttle-record.js';

/** The most blocked keys an instance remembers; the oldest are forgotten first. */
const MAX_KNOWN_BLOCKS = 10_000;

/** The most hit times they may hold in all (about 8 bytes each), whatever the limits. */
const MAX_KNOWN_HITS = 1_000_000;

/**
 * The records of keys this instance saw blocked, until their blocks end, so that a client hammering a
 * blocked key costs no request at all (as `inMemoryBlockOnConsumed` does in rate-limiter-flexible). Sound
 * because no hit on any instance lifts a block before its end (see answerIfUnchanged); the one thing it
 * misses is a record deleted by hand, which this instance honours once the block it knows of ends.
 */
export class KnownBlocks {
  private readonly records = new Map<string, { record: ThrottleRecord; hits: number }>();
  private hits = 0;

  /** The record of `key` while it is blocked at `now`. */
  get(key: string, now: number): ThrottleRecord | undefined {
    const known = this.records.get(key);
    if (known === undefined) return undefined;
    if (isBlocked(known.record, now)) return known.record;
    this.forget(key);
    return undefined;
  }

  /** Keeps `record` as the latest of `key` when it is blocked at `now`; forgets the key otherwise. */
  remember(key: string, record: ThrottleRecord | undefined, now: number): void {
    this.forget(key);
    if (record === undefined || !isBlocked(record, now)) return;
    const hits = [...record.hits.values()].reduce((sum, times) => sum + times.length, 0);
    this.records.set(key, { record, hits });
    this.hits += hits;
    for (const [oldest] of this.records) {
      if (this.records.size <= MAX_KNOWN_BLOCKS && this.hits <= MAX_KNOWN_HITS) break;
      this.forget(oldest);
    }
  }

  private forget(key: string): void {
    const known = this.records.get(key);
    if (known === undefined) return;
    this.records.delete(key);
    this.hits -= known.hits;
  }
}

function isBlocked(record: ThrottleRecord, now: number): boolean {
  return record.isBlocked && record.blockExpiresAt > now;
}
