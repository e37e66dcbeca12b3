/**
 * What ends one request of the store early: its budget running out, or the caller's signal. A DOM
 * AbortController costs about 10 µs a request here (its EventTarget listener, and one more on the
 * socket request); this has the older abort-signal shape (`aborted`, `onabort`, plus `reason`) that
 * `NodeHttpHandler` accepts, listeners of its own for the store's waits, and a DOM signal made only for
 * code that needs one (the SDK's middleware path, an application's own client). Other handlers, such
 * as `FetchHttpHandler`, need the DOM signal: only the `NodeHttpHandler` the store builds gets this one.
 */
export class CallSignal {
  aborted = false;
  reason: unknown;
  /** Set by the request handler for the attempt in flight (the SDK's `onabort` signal shape). */
  onabort: ((event: { type: 'abort' }) => void) | null = null;
  private listeners?: Array<() => void>;
  private controller?: AbortController;

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.controller?.abort(reason);
    this.onabort?.({ type: 'abort' });
    const listeners = this.listeners ?? [];
    this.listeners = undefined;
    for (const listener of listeners) listener();
  }

  /** Calls `listener` once, when the signal aborts; returns what stops it. Never called when added after the abort: check `aborted` first. */
  onAbort(listener: () => void): () => void {
    (this.listeners ??= []).push(listener);
    return () => {
      const index = this.listeners?.indexOf(listener) ?? -1;
      if (index >= 0) this.listeners?.splice(index, 1);
    };
  }

  /** A DOM signal that aborts with this one. */
  asAbortSignal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }
}

/**
 * `promise`, or `onAbort()` as a rejection as soon as `signal` aborts: for waits that do not look at the
 * signal themselves (the SDK sleeps between retries without it).
 */
export function raceAbort<T>(promise: Promise<T>, signal: CallSignal, onAbort: () => unknown): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(onAbort());
  }
  return new Promise<T>((resolve, reject) => {
    const stop = signal.onAbort(() => reject(onAbort()));
    promise.then(
      (value) => {
        stop();
        resolve(value);
      },
      (error: unknown) => {
        stop();
        reject(error);
      },
    );
  });
}
