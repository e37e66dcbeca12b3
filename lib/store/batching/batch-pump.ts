import { AsyncResource } from 'node:async_hooks';

/**
 * Sends the batches a coalescer takes from its queue, at most `maxInFlight` at once. A flush runs in a
 * microtask, so that what was called in one tick leaves together, and again whenever a request finishes,
 * so that what queued meanwhile leaves in the next batches. Batches run in the async context the pump was
 * made in (the store's, at bootstrap), never in the context of whichever caller happened to start a flush:
 * one caller's trace or request-scoped state must not leak into a request that carries everyone's calls.
 */
export class BatchPump<B> {
  private inFlight = 0;
  private scheduled = false;
  private readonly flushInStoreContext = AsyncResource.bind(() => {
    this.scheduled = false;
    this.flush();
  });

  constructor(
    private readonly maxInFlight: number,
    /** The next batch from the queue, or undefined when nothing can leave now. */
    private readonly take: () => B | undefined,
    /** Sends a batch and settles its callers; never rejects. */
    private readonly send: (batch: B) => Promise<void>,
  ) {}

  schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(this.flushInStoreContext);
  }

  private flush(): void {
    while (this.inFlight < this.maxInFlight) {
      const batch = this.take();
      if (batch === undefined) return;
      this.inFlight += 1;
      void this.send(batch).finally(() => {
        this.inFlight -= 1;
        this.flush();
      });
    }
  }
}
