/** Where a coalesced call is: what its outcome is if it must end before its answer. */
export type WaiterPhase =
  /** In the queue: nothing was sent. */
  | 'queued'
  /** In a request on the wire: DynamoDB may apply it. */
  | 'sent'
  /** DynamoDB answered that it left it unprocessed: nothing was applied, it waits to be resent. */
  | 'unprocessed'
  /** Left unprocessed by a resent request whose first attempt may have applied it: its outcome is unknown. */
  | 'maybe-applied';

/** Why a call ends before its answer. */
export type EarlyEnd = 'aborted' | 'expired';

/**
 * One caller's promise inside a coalesced request. It settles once: with the answer for its key, with an
 * error that concerns it, or early, when its signal aborts or its deadline (the call's `timeoutMs`,
 * queue wait included) passes. Then `endEarly` says with what error, from the phase the call is in, and
 * takes it out of its queue; a request already under way goes on, and its answer is ignored.
 */
export class Waiter<T> {
  readonly promise: Promise<T>;
  phase: WaiterPhase = 'queued';
  /** When the call's budget ends, in `performance.now()` time. */
  readonly deadline: number;
  private settled = false;
  private resolveWith!: (value: T) => void;
  private rejectWith!: (error: unknown) => void;
  private readonly timer: NodeJS.Timeout;
  private readonly onAbort?: () => void;

  constructor(
    readonly key: string,
    private readonly signal: AbortSignal | undefined,
    timeoutMs: number,
    endEarly: (waiter: Waiter<T>, why: EarlyEnd) => unknown,
  ) {
    this.promise = new Promise<T>((resolve, reject) => {
      this.resolveWith = resolve;
      this.rejectWith = reject;
    });
    this.deadline = performance.now() + timeoutMs;
    this.timer = setTimeout(() => this.reject(endEarly(this, 'expired')), timeoutMs);
    if (signal !== undefined) {
      this.onAbort = () => this.reject(endEarly(this, 'aborted'));
      signal.addEventListener('abort', this.onAbort, { once: true });
    }
  }

  get pending(): boolean {
    return !this.settled;
  }

  resolve(value: T): void {
    if (this.settle()) this.resolveWith(value);
  }

  reject(error: unknown): void {
    if (this.settle()) this.rejectWith(error);
  }

  private settle(): boolean {
    if (this.settled) return false;
    this.settled = true;
    clearTimeout(this.timer);
    if (this.onAbort !== undefined) this.signal?.removeEventListener('abort', this.onAbort);
    return true;
  }
}
