import { OperationAbortedError, type KvStoreErrorContext } from '../../contract/kv-store.errors.js';

/**
 * One caller's promise inside a coalesced request. It settles once: with the answer for its key, with an
 * error that concerns it, or with OperationAbortedError the moment its signal aborts, whether it is still
 * queued (then it leaves the queue) or its request is already on the way (its answer is then ignored).
 */
export class Waiter<T> {
  readonly promise: Promise<T>;
  private settled = false;
  private resolveWith!: (value: T) => void;
  private rejectWith!: (error: unknown) => void;
  private readonly onAbort?: () => void;

  constructor(
    readonly key: string,
    private readonly signal: AbortSignal | undefined,
    context: KvStoreErrorContext,
    onAbort: (waiter: Waiter<T>) => void,
  ) {
    this.promise = new Promise<T>((resolve, reject) => {
      this.resolveWith = resolve;
      this.rejectWith = reject;
    });
    if (signal !== undefined) {
      this.onAbort = () => {
        onAbort(this);
        this.reject(new OperationAbortedError(signal.reason, context));
      };
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
    if (this.onAbort !== undefined) this.signal?.removeEventListener('abort', this.onAbort);
    return true;
  }
}
