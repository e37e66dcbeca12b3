import { NotALeaseError } from '../../contract/kv-store.errors.js';
import type { KvOperation } from '../../contract/kv-store.interface.js';

/**
 * What a lease's item holds, as JSON. `acquisition` is unique to one successful `acquireLease` call and
 * `write` counts that acquisition's writes, so every value ever written is unique: a conditional write
 * that expected one value can never land once the item holds another, and a value read back names the
 * acquisition that wrote it.
 */
export interface LeaseRecord {
  owner: string;
  /** The fencing token: one more than the token the item held before this acquisition. */
  token: number;
  /** When the lease ends unless extended, in epoch milliseconds by the writer's clock. */
  expiresAtMs: number;
  acquisition: string;
  write: number;
  /** Set by `release`: the lease is free, and the token stays for the next owner to count on from. */
  released?: true;
}

/** A lease item as read: the exact stored text (what a compareAndSwap must expect) and what it says. */
export interface StoredLease {
  raw: string;
  record: LeaseRecord;
}

/** Format version, so that a later layout can tell old items apart. */
const VERSION = 1;

export function encodeLease(record: LeaseRecord): string {
  const { owner, token, expiresAtMs, acquisition, write, released } = record;
  return JSON.stringify({ v: VERSION, owner, token, expiresAtMs, acquisition, write, ...(released ? { released } : {}) });
}

/** The record in `raw`; a `KvStoreError` when the key holds something else (a value written by other code). */
export function decodeLease(raw: string, place: { operation: KvOperation; table: string }): LeaseRecord {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  if (!isLeaseJson(parsed)) {
    throw new NotALeaseError(
      `The item of the lease in table '${place.table}' holds a value that is not a lease (written by something else under ` +
        'the same key): nothing was changed. Delete that key, or use another lease name.',
      place,
    );
  }
  const { owner, token, expiresAtMs, acquisition, write, released } = parsed;
  return { owner, token, expiresAtMs, acquisition, write, ...(released === true ? { released } : {}) };
}

/** Free for the next owner: released, or its time ran out by `nowMs` (the caller's clock). */
export function isFree(record: LeaseRecord, nowMs: number): boolean {
  return record.released === true || record.expiresAtMs <= nowMs;
}

type LeaseJson = Omit<LeaseRecord, 'released'> & { v: number; released?: boolean };

function isLeaseJson(value: unknown): value is LeaseJson {
  if (value === null || typeof value !== 'object') return false;
  const json = value as Record<string, unknown>;
  return (
    json.v === VERSION &&
    typeof json.owner === 'string' &&
    Number.isSafeInteger(json.token) &&
    (json.token as number) > 0 &&
    Number.isFinite(json.expiresAtMs) &&
    typeof json.acquisition === 'string' &&
    Number.isSafeInteger(json.write) &&
    (json.released === undefined || typeof json.released === 'boolean')
  );
}
