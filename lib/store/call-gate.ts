import { KvOverloadedError, KvStoreClosedError, type KvStoreErrorContext } from '../contract/kv-store.errors.js';

/**
 * Admits the store's calls: refuses them at once once the store is closed, or while `maxPending` calls are
 * already pending (queued for a batch or on the wire), so that a slow or hanging DynamoDB makes callers
 * fail fast instead of piling up on the heap. Every admitted call is bounded by its budget, so pending
 * calls drain within it.
 */
export class CallGate {
  private pending = 0;
  private closed = false;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly maxPending: number,
    private readonly store: { name: string; table: string },
  ) {}

  /** Runs `call` if it is admitted; otherwise rejects with the reason, before anything is sent. */
  run<T>(context: KvStoreErrorContext, call: () => Promise<T>): Promise<T> {
    const refusal = this.refusal(context);
    if (refusal !== undefined) return Promise.reject(refusal);
    this.pending += 1;
    let running: Promise<T>;
    try {
      running = call();
    } catch (error) {
      running = Promise.reject(error);
    }
    return running.finally(() => this.leave());
  }

  /** Refuses new calls from now on; resolves once the pending ones have ended. */
  close(): Promise<void> {
    this.closed = true;
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private refusal(context: KvStoreErrorContext): Error | undefined {
    const { name, table } = this.store;
    if (this.closed) {
      return new KvStoreClosedError(`Store '${name}' (table '${table}') is closed: the application is shutting down. Nothing was sent.`, { ...context, table });
    }
    if (this.pending >= this.maxPending) {
      return new KvOverloadedError(
        `Store '${name}' (table '${table}') already has ${this.maxPending} calls pending (maxPendingCalls): DynamoDB is slow or out of reach. ` +
          'Nothing was sent; retry later.',
        { ...context, table },
      );
    }
    return undefined;
  }

  private leave(): void {
    this.pending -= 1;
    if (this.pending > 0 || this.idleWaiters.length === 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
