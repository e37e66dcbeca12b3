import type { Logger } from '@nestjs/common';
import type { HttpAdapterHost } from '@nestjs/core';
import { failureOutcome } from './handler-failure.js';
import type { UnavailableReason } from './idempotency-record.js';
import type { Hold, IdempotencyRecords, RecordWrite, Settlement } from './idempotency-records.js';
import type { HandlerStatus } from './handler-status.js';
import { replayableResponse } from './replayable-response.js';

/** How a handler's run ended, as the interceptor saw it. */
export type RunOutcome = { kind: 'value'; value: unknown } | { kind: 'empty' } | { kind: 'error'; error: unknown };

/** One request's run while it holds its key. */
export interface HeldRun {
  hold: Hold;
  /** `Controller.method`, for log lines (never the key, the request or the response). */
  name: string;
  inProgressTtlSeconds: number;
  keepSeconds: number;
  /** The route sends its response itself (`@Res()` without passthrough): there is nothing to store. */
  sendsOwnResponse: boolean;
  /** The platform's response object, for the headers to store. */
  response: unknown;
  /** The status to store. */
  status: HandlerStatus;
}

/**
 * Stores what a run left behind in place of its in-progress record: its response, its error answer, or
 * "ran, nothing to replay"; or frees the key after a 4xx. Never throws, and never fails the request: what
 * could not be written is logged (without the key or the response).
 */
export class RunSettlement {
  constructor(
    private readonly records: IdempotencyRecords,
    private readonly adapterHost: HttpAdapterHost,
    private readonly replayedHeaders: readonly string[],
    private readonly logger: Logger,
  ) {}

  async settle(run: HeldRun, outcome: RunOutcome): Promise<void> {
    try {
      await this.settleOrThrow(run, outcome);
    } catch (error) {
      this.logger.error(`${run.name}: storing the outcome of its run failed; ${this.stillHeld(run)}`, error instanceof Error ? error.stack : String(error));
    }
  }

  private async settleOrThrow(run: HeldRun, outcome: RunOutcome): Promise<void> {
    if (outcome.kind === 'error') {
      const failure = failureOutcome(outcome.error);
      if (failure.kind === 'free') return this.reportRelease(run, await this.records.release(run.hold));
      if (failure.kind === 'store') return this.reportSettlement(run, await this.records.complete(run.hold, failure.response, run.keepSeconds));
      return this.unavailable(run, 'failed');
    }
    if (run.sendsOwnResponse) return this.unavailable(run, 'not_stored');
    // Nest answers an Observable that ended without a value with a 500 (an EmptyError).
    if (outcome.kind === 'empty') return this.unavailable(run, 'failed');
    const stored = replayableResponse(this.adapterHost, run.response, run.status.current(), outcome.value, this.replayedHeaders);
    if (typeof stored === 'string') {
      this.logger.error(`${run.name}: the response cannot be stored for replay (${stored}); repeats of its key get 409 IDEMPOTENCY_RESPONSE_UNAVAILABLE.`);
      return this.unavailable(run, 'not_stored');
    }
    const settlement = await this.records.complete(run.hold, stored, run.keepSeconds);
    if (settlement.kind === 'refused') {
      this.logger.error(
        `${run.name}: the response cannot be stored for replay (${settlement.error.code}); repeats of its key get 409 IDEMPOTENCY_RESPONSE_UNAVAILABLE.`,
      );
      return this.unavailable(run, 'not_stored');
    }
    this.reportSettlement(run, settlement);
  }

  private async unavailable(run: HeldRun, reason: UnavailableReason): Promise<void> {
    this.reportSettlement(run, await this.records.completeUnavailable(run.hold, reason, run.keepSeconds));
  }

  private reportSettlement(run: HeldRun, settlement: Settlement): void {
    switch (settlement.kind) {
      case 'done':
        return;
      case 'taken':
        this.logger.warn(
          `${run.name}: its hold on the Idempotency-Key lapsed (it could not be renewed for inProgressTtlSeconds, ` +
            `${run.inProgressTtlSeconds} s) and another request took the key, so the handler may have run twice; this run's outcome is not stored.`,
        );
        return;
      case 'refused':
      case 'unsettled':
        this.logger.error(
          `${run.name}: the outcome of its run could not be stored (${settlement.error?.code ?? 'no answer'}); ${this.stillHeld(run)}`,
        );
        return;
    }
  }

  private reportRelease(run: HeldRun, write: RecordWrite): void {
    if (write.kind === 'done' || write.kind === 'lost') return; // lost: the key is no longer this request's to free
    const why = write.kind === 'unknown' ? 'an unknown outcome' : write.error.code;
    this.logger.warn(`${run.name}: freeing the Idempotency-Key after a 4xx failed (${why}); ${this.stillHeld(run)}`);
  }

  private stillHeld(run: HeldRun): string {
    return (
      `the Idempotency-Key answers 409 until its in-progress record expires (${run.inProgressTtlSeconds} s after its last renewal); ` +
      'a retry after that runs the handler again.'
    );
  }
}
