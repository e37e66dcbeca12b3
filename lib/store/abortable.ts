import { OperationAbortedError, type KvStoreErrorContext } from '../contract/kv-store.errors.js';

/**
 * `promise`, unless `signal` aborts first: then {@link OperationAbortedError} at once, whatever the
 * promise is still waiting for.
 */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined, context: KvStoreErrorContext): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.reject(new OperationAbortedError(signal.reason, context));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new OperationAbortedError(signal.reason, context));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
