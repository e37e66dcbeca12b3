import { HttpResponse } from '@smithy/core/protocols';
import type { LeanClientConfig } from './lean-client-config.js';

/** One attempt's reading of the clock, to correct the clock by its answer. */
export interface ClockSample {
  readonly date: Date;
  readonly offsetBefore?: number;
  readonly sentAt?: number;
}

/** A corrected offset this large marks the failed attempt as retryable (the SDK's threshold). */
const SKEW_RETRY_MS = 240_000;

/**
 * The clock skew correction of the SDK's SigV4 signer (`AwsSdkSigV4Signer` in `@aws-sdk/core`), on the
 * same `systemClockOffset` the SDK path reads: requests are signed at the server's time as the last
 * answer's Date header showed it, and a failure after which the offset moved a lot is retried.
 */
export class ClockSkew {
  constructor(
    private readonly config: Pick<LeanClientConfig, 'systemClockOffset'>,
    /** `disableClockSkewCorrection`, resolved. */
    private readonly disabled: boolean,
  ) {}

  sample(): ClockSample {
    if (this.disabled) return { date: new Date() };
    const offsetBefore = this.config.systemClockOffset;
    const sentAt = Date.now();
    return { date: new Date(sentAt + offsetBefore), offsetBefore, sentAt };
  }

  afterAnswer(response: HttpResponse, sample: ClockSample): void {
    if (this.disabled) return;
    const date = dateHeader(response);
    if (date !== undefined) this.config.systemClockOffset = this.updatedOffset(date, sample, ageHeader(response));
  }

  afterError(error: unknown, sample: ClockSample): void {
    if (this.disabled || error === null || typeof error !== 'object') return;
    const failure = error as { ServerTime?: string; $response?: unknown; $metadata?: { clockSkewCorrected?: boolean } };
    const serverTime = failure.ServerTime ?? dateHeader(failure.$response);
    if (serverTime === undefined) return;
    const offset = this.updatedOffset(serverTime, sample, ageHeader(failure.$response));
    this.config.systemClockOffset = offset;
    const moved = offset !== sample.offsetBefore;
    if (Math.abs(offset) >= SKEW_RETRY_MS && moved && failure.$metadata !== undefined) failure.$metadata.clockSkewCorrected = true;
  }

  private updatedOffset(clockTime: string, sample: ClockSample, age: string | undefined): number {
    const current = this.config.systemClockOffset;
    if (age !== undefined) return current;
    const serverTime = Date.parse(clockTime);
    if (Number.isNaN(serverTime)) return current;
    const received = Date.now();
    // An answer that took more than 15 minutes says little about the server's clock now.
    if (sample.sentAt !== undefined && received - sample.sentAt > 900_000) return current;
    return serverTime - received;
  }
}

function dateHeader(response: unknown): string | undefined {
  return HttpResponse.isInstance(response) ? (response.headers.date ?? response.headers.Date) : undefined;
}

function ageHeader(response: unknown): string | undefined {
  return HttpResponse.isInstance(response) ? (response.headers.age ?? response.headers.Age) : undefined;
}
