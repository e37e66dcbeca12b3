import type { HealthIndicatorResult } from '@nestjs/terminus';

/** What a probe resolves with: the details of an `up` result (Terminus reserves `status`). */
export type HealthDetails = Record<string, unknown>;

/** A check that resolves when healthy and rejects with the reason when not; it should stop at `signal`. */
export type HealthProbe = (options: { signal: AbortSignal }) => Promise<HealthDetails>;

/**
 * The part of Terminus's `HealthIndicatorSession` the indicator uses, as both supported majors have it:
 * Terminus 11 has `up` and `down` only; Terminus 12 adds `attempt`, which runs, times and reports a probe
 * itself. Typed here rather than imported, because each major's declarations lack the other's.
 */
export interface TerminusSession<Key extends string> {
  up(data: HealthDetails): HealthIndicatorResult<Key>;
  down(data: HealthDetails): HealthIndicatorResult<Key>;
  attempt?(probe: HealthProbe): { withTimeout(ms: number): PromiseLike<HealthIndicatorResult<Key>> };
}

/** Terminus's `HealthIndicatorService`, 11 or 12. */
export interface TerminusHealthIndicatorService {
  check<const Key extends string>(key: Key): TerminusSession<Key>;
}
