import { KvUnavailableError, OperationAbortedError, type KvStoreError } from '../../contract/kv-store.errors.js';
import type { LeasePlace } from './lease-options.js';

/** The reason the bound's signal aborts with when its time runs out. */
class BoundReached extends Error {
  override readonly name = 'TimeoutError';
}

/**
 * The time bound of one lease call (`acquireLease`, `extend`, `release`): a signal that aborts when the
 * caller's signal does or when `boundMs` have passed, handed to every store call the lease call makes, so
 * that the whole call, retries and read-backs included, ends within the bound. One AbortController, one
 * timer and one listener on the caller's signal, all released by `dispose` (AbortSignal.any would keep an
 * entry on a long-lived caller signal per call).
 */
export class CallBound {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private readonly onCallerAbort = (): void => this.controller.abort(this.caller?.reason);

  constructor(
    private readonly caller: AbortSignal | undefined,
    private readonly boundMs: number,
  ) {
    // Not unref'd: a pending lease call keeps its process alive, as any pending call does.
    this.timer = setTimeout(() => this.controller.abort(new BoundReached(`No answer within ${Math.round(boundMs)} ms.`)), boundMs);
    if (caller?.aborted) this.onCallerAbort();
    else caller?.addEventListener('abort', this.onCallerAbort, { once: true });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get ended(): boolean {
    return this.controller.signal.aborted;
  }

  /**
   * Why the call stops now, for a call with no write in doubt: the caller's abort (`OperationAbortedError`,
   * its reason as `cause`) or the bound (`KvUnavailableError`, saying `consequence`).
   */
  stopError(place: LeasePlace, consequence: string): KvStoreError {
    const reason: unknown = this.controller.signal.reason;
    if (!(reason instanceof BoundReached)) return new OperationAbortedError(reason, place);
    return new KvUnavailableError(
      `The ${place.operation} on table '${place.table}' did not finish within its bound of ${Math.round(this.boundMs)} ms: ${consequence}`,
      { ...place, cause: reason },
    );
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.caller?.removeEventListener('abort', this.onCallerAbort);
  }
}
