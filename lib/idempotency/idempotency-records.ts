import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  InvalidValueError,
  ItemTooLargeError,
  KeyNotFoundError,
  KvOutcomeUnknownError,
  KvStoreError,
} from '../contract/kv-store.errors.js';
import type { KVStore } from '../contract/kv-store.interface.js';
import { parseRecord, recordJson, type StoredResponse, type UnavailableReason } from './idempotency-record.js';
import { keyContended, keyInUse, keyReused, recordUnreadable, responseUnavailable, storeFailed } from './kv-idempotency.exception.js';

/** The record a request wrote to hold its key: only this exact value lets it extend, complete or release the key. */
export interface Hold {
  key: string;
  fingerprint: string;
  record: string;
}

/** What to do with a request: run it (it holds the key), or replay the stored response. */
export type Claim = { kind: 'held'; hold: Hold } | { kind: 'replay'; response: StoredResponse };

/**
 * How a write of the record ended: `done`; `lost` when the record was no longer this request's (another
 * request took the key after this one's hold expired); `unknown` when the write may or may not have been
 * applied; `failed` when it was not, with the store error.
 */
export type RecordWrite = { kind: 'done' } | { kind: 'lost' } | { kind: 'unknown' } | { kind: 'failed'; error: KvStoreError };

/**
 * How storing a run's outcome ended: `done`; `taken` when another request holds or completed the key (this
 * one's hold expired and it was taken); `refused` when the store refused the record before any network
 * call (over the item limit), so nothing changed; `unsettled` when every round failed or stayed unknown.
 */
export type Settlement =
  | { kind: 'done' }
  | { kind: 'taken' }
  | { kind: 'refused'; error: KvStoreError }
  | { kind: 'unsettled'; error: KvStoreError | undefined };

/**
 * Rounds of "write, else read and decide" before giving up on a claim. A round only repeats when the key
 * was free when read (expired or released since the write failed) or the write's outcome was unknown, so
 * more than two in a row mean the store is failing or the key is fought over; the client is told to retry.
 */
const CLAIM_ROUNDS = 3;

/**
 * Rounds of storing a run's outcome, and the pause before each repeat (times the round). The client's
 * answer waits for them, so they are few and short: a few hundred milliseconds plus the store's own
 * bounded calls.
 */
const SETTLE_ROUNDS = 3;
const SETTLE_PAUSE_MS = 100;

/** How long a released record stays: the store's shortest TTL. It is free to take the moment it is written. */
const RELEASED_TTL_SECONDS = 1;

/** The records of idempotency keys, over the `KVStore` contract: claimed, extended, settled or released with exact outcomes. */
export class IdempotencyRecords {
  constructor(private readonly store: KVStore) {}

  /**
   * Takes the key for this request (`held`), or finds its completed response (`replay`); throws a
   * {@link KvIdempotencyException} otherwise: 409 while another request holds it or when the request ran
   * and has no response to replay, 422 when it was used for another request, 503 when the store failed,
   * a write's outcome stayed unknown or the key kept changing hands. A write that may have been applied
   * is never taken as held until a read shows it was: the handler never runs on a guess. Every round
   * writes the same record, so a write that lands late can only be this request's; on giving up, that
   * record is freed again if it landed.
   */
  async claim(key: string, fingerprint: string, ttlSeconds: number): Promise<Claim> {
    const hold: Hold = { key, fingerprint, record: recordJson({ state: 'in_progress', fingerprint, owner: randomUUID() }) };
    let unknown: KvOutcomeUnknownError | undefined;
    const attempt = async (write: () => Promise<boolean>): Promise<boolean> => {
      try {
        return await write();
      } catch (error) {
        if (!(error instanceof KvOutcomeUnknownError)) throw asAnswer(error);
        unknown = error;
        return false;
      }
    };
    try {
      for (let round = 0; round < CLAIM_ROUNDS; round += 1) {
        if (await attempt(() => this.store.setIfAbsent(key, hold.record, { ttlSeconds }))) return { kind: 'held', hold };
        const current = await this.readForClaim(key);
        if (current === hold.record) return { kind: 'held', hold };
        if (current === undefined) continue;
        const record = parseRecord(current);
        if (record === undefined) throw recordUnreadable();
        if (record.state === 'released') {
          if (await attempt(() => this.store.compareAndSwap(key, current, hold.record, { ttlSeconds }))) return { kind: 'held', hold };
          continue;
        }
        if (record.fingerprint !== fingerprint) throw keyReused();
        if (record.state === 'in_progress') throw keyInUse();
        if (record.state === 'unavailable') throw responseUnavailable(record.reason);
        return { kind: 'replay', response: record.response };
      }
      throw unknown === undefined ? keyContended() : storeFailed(unknown);
    } catch (error) {
      // A write of this request's record whose outcome stayed unknown may have landed after all: free it,
      // so that the key does not answer 409 for a request that never ran. Best effort, one bounded call.
      if (unknown !== undefined) await this.swap(hold, recordJson({ state: 'released' }), RELEASED_TTL_SECONDS);
      throw error;
    }
  }

  /** Gives this request's in-progress record a new full TTL, only while it is still this request's. */
  extend(hold: Hold, ttlSeconds: number): Promise<RecordWrite> {
    return this.swap(hold, hold.record, ttlSeconds);
  }

  /** Replaces this request's in-progress record with its response, kept `keepSeconds`. */
  complete(hold: Hold, response: StoredResponse, keepSeconds: number): Promise<Settlement> {
    return this.settle(hold, recordJson({ state: 'completed', fingerprint: hold.fingerprint, response }), keepSeconds);
  }

  /** Replaces this request's in-progress record with "ran, nothing to replay", kept `keepSeconds`. */
  completeUnavailable(hold: Hold, reason: UnavailableReason, keepSeconds: number): Promise<Settlement> {
    return this.settle(hold, recordJson({ state: 'unavailable', fingerprint: hold.fingerprint, reason }), keepSeconds);
  }

  /**
   * Frees the key after a 4xx failure, so that the client can retry; conditional on the record still
   * being this request's, so that it never frees a key another request has taken since.
   */
  release(hold: Hold): Promise<RecordWrite> {
    return this.swap(hold, recordJson({ state: 'released' }), RELEASED_TTL_SECONDS);
  }

  /**
   * Writes `next` in place of this request's in-progress record, and settles a write whose outcome is
   * unknown by reading the record back (strongly consistent): `next` there means it landed; this
   * request's record there means it did not, and it is sent again (a late copy of an earlier attempt then
   * fails its condition, so nothing lands twice); no record at all means the hold expired and nobody took
   * the key, so `next` goes in if the key is still free. Bounded: {@link SETTLE_ROUNDS} rounds.
   */
  private async settle(hold: Hold, next: string, ttlSeconds: number): Promise<Settlement> {
    let failure: KvStoreError | undefined;
    const attempt = async <T>(write: () => Promise<T>): Promise<T | KvStoreError> => {
      try {
        return await write();
      } catch (error) {
        if (error instanceof KvStoreError) return error;
        throw error;
      }
    };
    for (let round = 0; round < SETTLE_ROUNDS; round += 1) {
      if (round > 0) await sleep(SETTLE_PAUSE_MS * round);
      const swapped = await attempt(() => this.store.compareAndSwap(hold.key, hold.record, next, { ttlSeconds }));
      if (swapped === true) return { kind: 'done' };
      if (swapped instanceof ItemTooLargeError || swapped instanceof InvalidValueError) return { kind: 'refused', error: swapped };
      if (swapped instanceof KvStoreError) failure = swapped;
      const current = await attempt(async () => (await this.read(hold.key)) ?? false);
      if (current instanceof KvStoreError) {
        failure = current;
        continue;
      }
      if (current === next) return { kind: 'done' };
      if (current === hold.record) continue;
      if (current !== false) return { kind: 'taken' };
      const placed = await attempt(() => this.store.setIfAbsent(hold.key, next, { ttlSeconds }));
      if (placed === true) return { kind: 'done' };
      if (placed instanceof KvStoreError) failure = placed;
    }
    return { kind: 'unsettled', error: failure };
  }

  private async swap(hold: Hold, next: string, ttlSeconds: number): Promise<RecordWrite> {
    try {
      return (await this.store.compareAndSwap(hold.key, hold.record, next, { ttlSeconds })) ? { kind: 'done' } : { kind: 'lost' };
    } catch (error) {
      if (error instanceof KvOutcomeUnknownError) return { kind: 'unknown' };
      if (error instanceof KvStoreError) return { kind: 'failed', error };
      throw error;
    }
  }

  private async readForClaim(key: string): Promise<string | undefined> {
    try {
      return await this.read(key);
    } catch (error) {
      throw asAnswer(error);
    }
  }

  /** The key's current value, strongly consistent: an eventually consistent read could miss the record that beat ours. */
  private async read(key: string): Promise<string | undefined> {
    try {
      return await this.store.get(key, { consistentRead: true });
    } catch (error) {
      if (error instanceof KeyNotFoundError) return undefined;
      throw error;
    }
  }
}

function asAnswer(error: unknown): unknown {
  return error instanceof KvStoreError ? storeFailed(error) : error;
}
