import { randomUUID } from 'node:crypto';
import { KvOutcomeUnknownError } from '../../contract/kv-store.errors.js';
import type { KvLease } from '../../contract/kv-lease.interface.js';
import { CallBound } from './call-bound.js';
import { HeldLease, type LeaseHome } from './held-lease.js';
import { holderDeadlineMs, type LeasePlace, type LeaseRequest } from './lease-options.js';
import { encodeLease, isFree, type LeaseRecord, type StoredLease } from './lease-record.js';
import { pause } from './pause.js';

/** The first pause while another owner holds the lease; it doubles up to MAX_PAUSE_MS, with jitter. */
const FIRST_PAUSE_MS = 20;
/** The longest pause: a released lease is seen within about this long. An expired one is seen at its expiry. */
const MAX_PAUSE_MS = 1_000;
/** What the bound's end means for an acquisition with no write in doubt. */
const NOT_TAKEN = 'nothing of this call holds the lease (the store was slow or out of reach, or the lease kept changing hands).';

/**
 * One `acquireLease` call, bounded by `waitMs` plus the store's call budget. It reads the item (strongly
 * consistent) and, when the lease is free, writes this acquisition's value conditionally on what it read;
 * while another owner holds it, it waits (polls) until `waitMs` runs out. It ends in one of:
 * - a lease: this call's write is in the item, with a token greater than the one it replaced, and the
 *   lease has time left (a write answered after its deadline is taken again);
 * - null: a read after `waitMs` ran out showed another owner holding the lease, and no write of this call
 *   can land after that (it expected another value);
 * - KvOutcomeUnknownError: a write's outcome could not be settled; if it landed, the lease is taken by no
 *   one until its TTL runs out;
 * - any other error: nothing of this call holds the lease (`KvUnavailableError` when the bound ran out,
 *   `OperationAbortedError` when the caller's signal aborted).
 */
export class LeaseAcquisition {
  /** Marks every value this call writes, so that a read can tell this call's own write. */
  private readonly id = randomUUID();
  /** When `waitMs` runs out (`performance.now()` time): no more waiting for another owner after this. */
  private readonly waitDeadline: number;
  /** A write of this call whose outcome is unknown, and what it expected: it can land while the item holds that. */
  private pending: { expected: string | undefined; error: KvOutcomeUnknownError } | undefined;
  private writes = 0;
  private pauseMs = FIRST_PAUSE_MS;

  constructor(
    private readonly request: LeaseRequest,
    private readonly home: LeaseHome,
    private readonly place: LeasePlace,
  ) {
    this.waitDeadline = performance.now() + request.waitMs;
  }

  async run(): Promise<KvLease | null> {
    const bound = new CallBound(this.request.signal, this.request.waitMs + this.home.budgetMs);
    try {
      return await this.acquire(bound);
    } finally {
      bound.dispose();
    }
  }

  private async acquire(bound: CallBound): Promise<KvLease | null> {
    for (;;) {
      if (bound.ended) throw this.ending(bound, undefined);
      const seen = await this.read(bound);
      if (this.pending !== undefined && seen?.raw !== this.pending.expected) this.pending = undefined;
      const late = performance.now() >= this.waitDeadline;
      if (seen?.record.acquisition === this.id) {
        // Our write landed (its answer was lost); a lease out of time by now is taken again below.
        if (!this.isOver(seen.record)) return this.held(seen);
      } else if (seen !== undefined && !isFree(seen.record, this.home.now())) {
        // (A write of ours in doubt expected a free value: one can only look held again if the clock went back.)
        if (late && this.pending === undefined) return null;
        await this.wait(bound, seen.record.expiresAtMs - this.home.now());
        continue;
      }
      const taken = await this.take(seen, bound);
      if (taken !== undefined) return taken;
      // Lost a race, a write in doubt, or one answered too late: look again after a pause (1 ms once waitMs
      // ran out), which also lets the bound's timer run over a store that answers in microtasks.
      await this.wait(bound, Number.POSITIVE_INFINITY);
    }
  }

  /** The item now; a failed read leaves a pending write's outcome unknown. */
  private async read(bound: CallBound): Promise<StoredLease | undefined> {
    try {
      return await this.home.item.read(this.place, bound.signal);
    } catch (error) {
      throw this.ending(bound, error);
    }
  }

  /**
   * One conditional write over `seen` (a free lease, none, or this call's own that ran out of time): the
   * lease when it wrote and has time left, else undefined (lost a race, unknown, or answered too late).
   */
  private async take(seen: StoredLease | undefined, bound: CallBound): Promise<KvLease | undefined> {
    const { owner, ttlMs } = this.request;
    this.writes += 1;
    const next: LeaseRecord = { owner, token: (seen?.record.token ?? 0) + 1, expiresAtMs: this.home.now() + ttlMs, acquisition: this.id, write: this.writes };
    const raw = encodeLease(next);
    let wrote: boolean;
    try {
      wrote = await this.home.item.write(seen?.raw, raw, bound.signal);
    } catch (error) {
      if (error instanceof KvOutcomeUnknownError) {
        this.pending = { expected: seen?.raw, error };
        return undefined;
      }
      throw this.ending(bound, error);
    }
    return wrote && !this.isOver(next) ? this.held({ raw, record: next }) : undefined;
  }

  /** Whether a lease of this call would be over for its holder already (its deadline passed). */
  private isOver(record: LeaseRecord): boolean {
    return this.home.now() >= holderDeadlineMs(record.expiresAtMs, this.request.ttlMs);
  }

  /** Sleeps before the next read: the backoff (with jitter), no later than the holder's expiry and the end of `waitMs`. */
  private async wait(bound: CallBound, untilExpiryMs: number): Promise<void> {
    const left = this.waitDeadline - performance.now();
    const backoff = this.pauseMs * (0.5 + Math.random() / 2);
    this.pauseMs = Math.min(MAX_PAUSE_MS, this.pauseMs * 2);
    await pause(Math.max(1, Math.min(backoff, untilExpiryMs, left)), bound.signal);
  }

  private held(stored: StoredLease): HeldLease {
    return new HeldLease(this.request.name, stored, this.request.ttlMs, this.home);
  }

  /**
   * The error that ends the call: `error` as it is, or the bound's when the bound (or the caller's signal)
   * ended the call; `KvOutcomeUnknownError` instead while a write of this call may still land.
   */
  private ending(bound: CallBound, error: unknown): unknown {
    const cause = bound.ended && !(error instanceof KvOutcomeUnknownError) ? bound.stopError(this.place, NOT_TAKEN) : error;
    if (this.pending === undefined) return cause;
    return new KvOutcomeUnknownError(
      `The acquire_lease on table '${this.place.table}' could not learn whether its write took the lease: if it did, the lease is ` +
        'held by no one until its ttlSeconds run out, and is free again after that.',
      { ...this.place, cause },
    );
  }
}
