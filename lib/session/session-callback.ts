/** A store callback: an error, or null and a result. */
export type SessionCallback<T> = (error: unknown, result?: T) => void;

/**
 * Calls `callback` exactly once with the outcome of `run`, on a later tick: a callback that throws then
 * throws out of the store (as in express-session's MemoryStore) instead of being called a second time with
 * its own error. Without a callback, a failure goes to the store's `'error'` listeners, if it has any.
 */
export function settle<T>(run: () => Promise<T>, callback: SessionCallback<T> | undefined, onUnreported: (error: unknown) => void): void {
  let pending: Promise<T>;
  try {
    pending = run();
  } catch (error) {
    pending = Promise.reject(error);
  }
  pending.then(
    (result) => {
      if (callback) process.nextTick(callback, null, result);
    },
    (error: unknown) => {
      if (callback) process.nextTick(callback, error);
      else onUnreported(error);
    },
  );
}
