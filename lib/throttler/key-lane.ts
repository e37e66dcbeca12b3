import { setTimeout as sleep } from 'node:timers/promises';
import { KeyNotFoundError } from '../contract/kv-store.errors.js';
import type { KVStore } from '../contract/kv-store.interface.js';
import { isOutage } from './fail-mode.js';
import { RaceTiming } from './race-timing.js';
import type { ThrottleAnswer } from './throttle-answer.js';
import { answerIfUnchanged, type ThrottleHit } from './throttle-hit.js';
import type { ThrottleRecord } from './throttle-record.js';
import { contentionAnswers, planRound, type RoundPlan } from './throttle-round.js';
import type { ThrottlerFailMode } from './throttler-storage.options.js';

/** One waiting `increment`. Times from `performance.now()`. */
export interface PendingHit {
  hit: ThrottleHit;
  arrivedAt: number;
  /** When its budget ends. */
  deadline: number;
  settled: boolean;
  /** In a write that has not answered yet: it may be counted whatever it is answered. */
  writing: boolean;
  /**
   * Let through by the fail mode (open) at its deadline, until when (`performance.now()` time) the lane
   * keeps trying to count it: a hit that got through is counted once the store answers (unless its write
   * already counted it), so that a store slower than the budget still ends in a block.
   */
  owedUntil?: number;
  resolve(answer: ThrottleAnswer): void;
  reject(error: unknown): void;
}

/** What a lane needs of its storage. */
export interface LaneServices {
  store: KVStore;
  timeoutMs: number;
  failMode: ThrottlerFailMode;
  /** The clock of the records (epoch milliseconds): `Date.now`, which tests may replace. */
  now(): number;
  /** Answers `hits` by the fail mode, and warns with `reason`. */
  failOver(hits: readonly PendingHit[], reason: string): void;
  /** Warns that `count` hits within their limit were refused for contention. */
  contended(count: number): void;
  /** The lane has nothing left to do; `known` is the last record it saw, if it still stands for the store's. */
  finished(lane: KeyLane, known: ThrottleRecord | undefined): void;
}

/** How many budgets the lane keeps trying to count a hit the fail mode let through. */
const OWED_BUDGETS = 10;

/** Why a read was aborted: every hit it was for had been answered at its deadline. */
class BudgetSpent extends Error {
  override readonly name = 'TimeoutError';
}

/**
 * The hits on one store key in this instance, and the rounds that settle them, one call to the store at a
 * time: hits on one key never race each other within an instance, and a burst costs one read and one
 * write. A round reads the record (strongly consistent); every hit waiting when the read answers joins
 * it, so a hit never waits for more than the rest of a round and one more; the round applies them at one
 * instant and writes the record back conditionally on the value read. On a lost race (another instance
 * wrote in between) it pauses a random moment and reads again, with the hits that arrived meanwhile,
 * until each hit's budget ends. Each hit is answered by its own deadline:
 *
 * - from the store, when a round settles it;
 * - from the last record seen, without a call, when that record refuses it in a state no other instance
 *   can end early (a block, or a limit reached without blocking): see answerIfUnchanged;
 * - when its budget ends while other instances keep winning the race: from the last record read, refused
 *   even where that record would count it (it is not counted), see contentionAnswers;
 * - when its budget ends without an answer from the store (a read or its write still out), or the store
 *   fails: by the fail mode.
 */
export class KeyLane {
  private waiting: PendingHit[] = [];
  /** The hits of the round's current attempt. */
  private inRound: PendingHit[] = [];
  /** The record as this lane last read or wrote it, while it stands for the store's (not after a lost race or a failure). */
  private known: ThrottleRecord | undefined;
  /** The last value read before a lost race, and when the race was lost: hits that arrived before then are contended. */
  private contention: { value: string | undefined; at: number } | undefined;
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private reading: AbortController | undefined;
  private readonly timing: RaceTiming;

  constructor(
    readonly key: string,
    private readonly services: LaneServices,
    known: ThrottleRecord | undefined,
  ) {
    this.known = known;
    this.timing = new RaceTiming(services.timeoutMs);
  }

  /** Takes a hit; the lane runs until every hit it took is settled. */
  submit(pending: PendingHit): void {
    // Only with no hit ahead of it: one still to be counted could change its answer (a throttler of another
    // configuration on the same key), and answers follow the order hits came in.
    const ahead = this.inRound.some(inPlay) || this.waiting.some(inPlay);
    const known = this.running && !ahead && this.known !== undefined ? answerIfUnchanged(this.known, pending.hit, this.services.now()) : undefined;
    if (known !== undefined) {
      settle(pending, known);
      return;
    }
    this.waiting.push(pending);
    this.arm();
    if (!this.running) {
      this.running = true;
      void this.run();
    }
  }

  private async run(): Promise<void> {
    try {
      for (;;) {
        this.answerFromKnown();
        if (!this.waiting.some(inPlay)) break;
        await this.round();
      }
    } catch (error) {
      // Not reached by design; if it were, a hit left pending would hang its request.
      for (const pending of [...this.waiting, ...this.inRound]) if (!pending.settled) fail(pending, error);
    } finally {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.running = false;
      this.services.finished(this, this.known);
    }
  }

  /** One round: attempts until the hits are settled (or answered at their deadlines). */
  private async round(): Promise<void> {
    for (let lost = 0; ; lost += 1) {
      this.join();
      if (this.inRound.length === 0) return;
      const reading = (this.reading = new AbortController());
      const readStarted = performance.now();
      let current: string | undefined;
      try {
        current = await read(this.services.store, this.key, reading.signal);
      } catch (error) {
        this.failRound(error, '');
        return;
      }
      this.timing.read(performance.now() - readStarted);
      // The hits that arrived during the read are answered from it too: none waits for a round of its own.
      this.join();
      this.answerLate(current);
      const hits = this.inRound;
      if (hits.length === 0) return;
      let plan: RoundPlan;
      try {
        plan = planRound(current, hits.map(({ hit }) => hit), this.services.now());
      } catch (error) {
        // A value the storage did not write, or a record over its bound: to be fixed, not ridden out.
        for (const pending of hits) {
          pending.owedUntil = undefined;
          if (!pending.settled) fail(pending, error);
        }
        this.inRound = [];
        return;
      }
      if (plan.write === undefined) {
        this.settleRound(plan);
        return;
      }
      for (const pending of hits) pending.writing = true;
      const writeStarted = performance.now();
      let written: boolean;
      try {
        // Never aborted: an abandoned write may still land, and the next round would race it. The store's
        // own timeout bounds it; hits answered at their deadlines meanwhile are counted if it lands.
        const options = { ttlSeconds: plan.write.ttlSeconds };
        written =
          current === undefined
            ? await this.services.store.setIfAbsent(this.key, plan.write.value, options)
            : await this.services.store.compareAndSwap(this.key, current, plan.write.value, options);
      } catch (error) {
        this.failRound(error, ' The hits may have been counted.');
        return;
      } finally {
        for (const pending of hits) pending.writing = false;
      }
      this.timing.write(performance.now() - writeStarted);
      if (written) {
        this.settleRound(plan);
        return;
      }
      // Another instance wrote since the read: read again, after a pause that keeps instances out of step.
      this.known = undefined;
      this.contention = { value: current, at: performance.now() };
      this.inRound = hits.filter(inPlay);
      await sleep(this.timing.backoffMs(lost));
    }
  }

  /** Moves the waiting hits into the round. */
  private join(): void {
    this.inRound = [...this.inRound, ...this.waiting].filter(inPlay);
    this.waiting = [];
  }

  /** The round's hits are in the store (or changed nothing): each gets its answer, unless its deadline gave it one. */
  private settleRound(plan: RoundPlan): void {
    this.inRound.forEach((pending, index) => {
      pending.owedUntil = undefined;
      if (!pending.settled) settle(pending, plan.answers[index]!);
    });
    this.inRound = [];
    this.known = plan.record;
  }

  private failRound(error: unknown, counted: string): void {
    this.known = undefined;
    const open = this.inRound.filter(unsettled);
    for (const pending of this.inRound) pending.owedUntil = undefined;
    this.inRound = [];
    if (open.length === 0) return;
    if (isOutage(error)) this.services.failOver(open, `${describe(error)}${counted}`);
    else for (const pending of open) fail(pending, error);
  }

  /**
   * The waiting hits that the last record seen refuses in a lasting state (those that arrived during a
   * write that blocked the key, for one), up to the first it cannot answer: that one, and every hit after
   * it, go to the store in order.
   */
  private answerFromKnown(): void {
    if (this.known === undefined) return;
    const now = this.services.now();
    for (const pending of this.waiting) {
      if (pending.settled) {
        if (inPlay(pending)) break;
        continue;
      }
      const answer = answerIfUnchanged(this.known, pending.hit, now);
      if (answer === undefined) break;
      settle(pending, answer);
    }
    this.waiting = this.waiting.filter(inPlay);
  }

  /** Under contention, the hits without the time for a write are answered from the record just read. */
  private answerLate(current: string | undefined): void {
    const contention = this.contention;
    if (contention === undefined) return;
    const cutoff = performance.now() + this.timing.writeMarginMs();
    const late = this.inRound.filter((pending) => !pending.settled && pending.deadline < cutoff && pending.arrivedAt <= contention.at);
    if (late.length === 0) return;
    this.answerContended(late, current);
    this.inRound = this.inRound.filter(inPlay);
  }

  private answerContended(hits: readonly PendingHit[], value: string | undefined): void {
    try {
      const { answers, refusedWithinLimit } = contentionAnswers(value, hits.map(({ hit }) => hit), this.services.now());
      hits.forEach((pending, index) => settle(pending, answers[index]!));
      if (refusedWithinLimit > 0) this.services.contended(refusedWithinLimit);
    } catch (error) {
      for (const pending of hits) fail(pending, error);
    }
  }

  /** Keeps a timer at the earliest deadline of the hits not yet settled: the first one's, as deadlines come in arrival order. */
  private arm(): void {
    if (this.timer !== undefined) return;
    const next = (this.inRound.find(unsettled) ?? this.waiting.find(unsettled))?.deadline;
    if (next === undefined) return;
    this.timer = setTimeout(
      // After the I/O callbacks of this turn: an answer already in is not beaten by its own deadline.
      () => setImmediate(() => this.onDeadline()),
      Math.max(0, next - performance.now()),
    );
  }

  /** Answers every hit whose budget ended, as the class comment says. */
  private onDeadline(): void {
    this.timer = undefined;
    const now = performance.now();
    const due = [...this.inRound, ...this.waiting].filter((pending) => !pending.settled && pending.deadline <= now);
    const contention = this.contention;
    const contended = due.filter((pending) => !pending.writing && contention !== undefined && pending.arrivedAt <= contention.at);
    if (contended.length > 0) this.answerContended(contended, contention!.value);
    const writing = due.filter((pending) => pending.writing);
    if (writing.length > 0) {
      this.services.failOver(writing, `The store did not answer the write within the ${this.services.timeoutMs} ms budget: the hits may have been counted.`);
    }
    const unanswered = due.filter(unsettled);
    if (unanswered.length > 0) this.services.failOver(unanswered, `The store did not answer within the ${this.services.timeoutMs} ms budget.`);
    // Let through: counted in the next attempt (unless the write under way counts them), while the store answers.
    if (this.services.failMode === 'open') for (const pending of [...writing, ...unanswered]) pending.owedUntil = now + OWED_BUDGETS * this.services.timeoutMs;
    this.waiting = this.waiting.filter(inPlay);
    // A read that no hit waits for any longer is given up (a write is not: see round).
    if (![...this.inRound, ...this.waiting].some(inPlay)) {
      this.reading?.abort(new BudgetSpent(`Every hit waiting for this call was answered at its ${this.services.timeoutMs} ms budget.`));
    }
    this.arm();
  }
}

async function read(store: KVStore, key: string, signal: AbortSignal): Promise<string | undefined> {
  try {
    return await store.get(key, { consistentRead: true, signal });
  } catch (error) {
    if (error instanceof KeyNotFoundError) return undefined;
    throw error;
  }
}

function unsettled(pending: PendingHit): boolean {
  return !pending.settled;
}

/** Still part of a round: waiting for its answer, or let through and not yet counted. */
function inPlay(pending: PendingHit): boolean {
  return !pending.settled || (pending.owedUntil !== undefined && pending.owedUntil > performance.now());
}

function settle(pending: PendingHit, answer: ThrottleAnswer): void {
  pending.settled = true;
  pending.resolve(answer);
}

function fail(pending: PendingHit, error: unknown): void {
  pending.settled = true;
  pending.reject(error);
}

/** The error's class and message for the warning: the store's messages name the table and the failure, never a key or value. */
function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
