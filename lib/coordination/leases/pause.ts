/**
 * Resolves after `ms`, or at once when `signal` aborts (the caller looks at the signal next). The timer is
 * not unref'd: a caller awaiting a lease keeps its process alive, as any pending call does.
 */
export function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
