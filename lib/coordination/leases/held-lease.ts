import type { KvLease } from '../../contract/kv-lease.interface.js';
import { KvOutcomeUnknownError } from '../../contract/kv-store.errors.js';
import type { KvCallOptions } from '../../contract/kv-store.interface.js';
import { CallBound } from './call-bound.js';
import type { LeaseItem } from './lease-item.js';
import { assertLeaseTtl, holderDeadlineMs, type LeasePlace } from './lease-options.js';
import type { LeaseRecord, StoredLease } from './lease-record.js';
import { rewriteOwn, type OwnRewrite } from './own-rewrite.js';

/** How often, at most, the expiry timer looks at the clock: the clock may jump (NTP, a test's fake clock). */
const CLOCK_CHECK_MS = 1_000;

/** Why a lease's signal aborted: its `reason` is an Error with this in `cause`. */
export type LeaseEnd = 'released' | 'lost' | 'expiring';

const END_MESSAGES: Record<LeaseEnd, string> = {
  released: 'The lease was released.',
  lost: 'The lease was lost: another owner holds it now.',
  expiring: 'The lease is about to expire (its safety margin before expiresAt was reached).',
};

/** What a held lease needs from the store it was taken in. */
export interface LeaseHome {
  item: LeaseItem;
  /** The store's clock, in epoch milliseconds. */
  now: () => number;
  /** The bound of each `extend` and `release` call, in milliseconds: the store's own call budget. */
  budgetMs: number;
}

/**
 * A lease this process holds. It ends (its signal aborts, its timer stops) when released, when extend or
 * release finds it lost, or a safety margin before its expiry by this process's clock. Its calls run one
 * after another, so an extend and a release never race each other; each ends within the store's budget.
 */
export class HeldLease implements KvLease {
  readonly name: string;
  readonly owner: string;
  readonly token: number;
  private stored: StoredLease;
  private ttlMs: number;
  /**
   * A deadline earlier than the stored expiry gives: an extension in doubt may have written a shorter TTL,
   * and the holder must stop by the earlier of the two. Infinity while the item's state is known.
   */
  private deadlineCapMs = Number.POSITIVE_INFINITY;
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  /** Set once `release` was called: a release is on its way, and no extension may bring the lease back. */
  private releasing = false;
  /** Set once a release was seen applied: a later release has nothing left to do, and answers true again. */
  private released = false;
  /** Set once a write found another owner's value: ours can never come back (every value is unique). */
  private lost = false;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    name: string,
    stored: StoredLease,
    ttlMs: number,
    private readonly home: LeaseHome,
  ) {
    this.name = name;
    this.owner = stored.record.owner;
    this.token = stored.record.token;
    this.stored = stored;
    this.ttlMs = ttlMs;
    this.watchExpiry();
  }

  get expiresAt(): Date {
    return new Date(this.stored.record.expiresAtMs);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** When this holder stops counting on the lease: the safety margin before its expiry. */
  private get deadlineMs(): number {
    return Math.min(holderDeadlineMs(this.stored.record.expiresAtMs, this.ttlMs), this.deadlineCapMs);
  }

  extend(ttlSeconds?: number, options: KvCallOptions = {}): Promise<boolean> {
    return this.serially(async () => {
      const place = this.place('extend_lease');
      if (ttlSeconds !== undefined) assertLeaseTtl(ttlSeconds, place);
      const ttlMs = ttlSeconds === undefined ? this.ttlMs : ttlSeconds * 1000;
      if (this.hasEnded()) return false;
      const deadlineBefore = this.deadlineMs;
      const capBefore = this.deadlineCapMs;
      // The extension may land at any moment from now on, and with a shorter TTL the item may then expire
      // before the deadline kept here: the holder stops by the earlier of the two until the item is known.
      this.capDeadline(holderDeadlineMs(this.home.now() + ttlMs, ttlMs));
      return this.bounded(options, async (bound) => {
        const outcome = await rewriteOwn(
          this.home.item,
          this.stored,
          (current) => ({ ...current, expiresAtMs: this.home.now() + ttlMs, write: current.write + 1 }),
          place,
          bound,
        ).catch((error: unknown) => {
          if (!(error instanceof KvOutcomeUnknownError)) this.uncapDeadline(capBefore); // nothing of it was written
          throw error;
        });
        if (!outcome.written) {
          this.lost = true;
          this.end('lost');
          return false;
        }
        this.stored = outcome.stored;
        this.deadlineCapMs = Number.POSITIVE_INFINITY; // the item holds this write: its expiry is the one that counts
        const now = this.home.now();
        // Written, but the lease ended here meanwhile (its time ran out, or release was called), or the new
        // TTL ran out before the answer came: an extension cannot undo an end the holder may have acted on.
        if (this.controller.signal.aborted || now >= deadlineBefore || now >= holderDeadlineMs(outcome.stored.record.expiresAtMs, ttlMs)) {
          this.end('expiring');
          // The item now says taken for the new TTL: free it for the next owner instead (best effort;
          // release() settles it otherwise). A release called meanwhile does that itself.
          if (!this.releasing) await this.freeQuietly(bound);
          return false;
        }
        this.ttlMs = ttlMs;
        this.watchExpiry();
        return true;
      });
    });
  }

  release(options: KvCallOptions = {}): Promise<boolean> {
    // The holder stops counting on the lease when it calls release, not when the write lands.
    this.releasing = true;
    this.end('released');
    return this.serially(async () => {
      if (this.released) return true;
      if (this.lost) return false;
      return this.bounded(options, async (bound) => {
        const outcome = await rewriteOwn(this.home.item, this.stored, (current) => this.releasedRecord(current), this.place('release_lease'), bound);
        return this.settleRelease(outcome);
      });
    });
  }

  /** Frees the item after an extension that landed too late; failures are left to the item's expiry. */
  private async freeQuietly(bound: CallBound): Promise<void> {
    try {
      this.settleRelease(await rewriteOwn(this.home.item, this.stored, (current) => this.releasedRecord(current), this.place('release_lease'), bound));
    } catch {
      // Not freed (or not known to be): the lease runs out at its expiry, and release() can try again.
    }
  }

  private releasedRecord(current: LeaseRecord): LeaseRecord {
    return { ...current, released: true, write: current.write + 1 };
  }

  private settleRelease(outcome: OwnRewrite): boolean {
    if (!outcome.written) {
      this.lost = true;
      return false;
    }
    this.stored = outcome.stored;
    this.released = true;
    return true;
  }

  /** Runs `call` within the store's budget (and the caller's signal). */
  private async bounded<T>(options: KvCallOptions, call: (bound: CallBound) => Promise<T>): Promise<T> {
    const bound = new CallBound(options.signal, this.home.budgetMs);
    try {
      return await call(bound);
    } finally {
      bound.dispose();
    }
  }

  /** Moves the deadline earlier (never later), and the timer with it. */
  private capDeadline(deadlineMs: number): void {
    this.deadlineCapMs = Math.min(this.deadlineCapMs, deadlineMs);
    if (!this.controller.signal.aborted) this.watchExpiry();
  }

  /** Puts back the cap of before an extension that wrote nothing (a signal that aborted meanwhile stays aborted). */
  private uncapDeadline(capMs: number): void {
    this.deadlineCapMs = capMs;
    if (!this.controller.signal.aborted) this.watchExpiry();
  }

  /** True once the lease is over for this holder, aborting its signal when time ran out unnoticed. */
  private hasEnded(): boolean {
    if (!this.controller.signal.aborted && this.home.now() >= this.deadlineMs) this.end('expiring');
    return this.controller.signal.aborted;
  }

  /** Aborts the signal at the deadline, looking at the clock at least every CLOCK_CHECK_MS. */
  private watchExpiry(): void {
    clearTimeout(this.timer);
    if (this.hasEnded()) return;
    const check = (): void => {
      if (!this.hasEnded()) this.timer = this.startTimer(check);
    };
    this.timer = this.startTimer(check);
  }

  private startTimer(check: () => void): NodeJS.Timeout {
    const timer = setTimeout(check, Math.max(1, Math.min(CLOCK_CHECK_MS, this.deadlineMs - this.home.now())));
    timer.unref(); // a lease must never keep the process alive
    return timer;
  }

  private end(why: LeaseEnd): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.controller.signal.aborted) this.controller.abort(new Error(END_MESSAGES[why], { cause: why }));
  }

  private serially<T>(call: () => Promise<T>): Promise<T> {
    const result = this.queue.then(call, call);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private place(operation: 'extend_lease' | 'release_lease'): LeasePlace {
    return { operation, table: this.home.item.table };
  }
}
