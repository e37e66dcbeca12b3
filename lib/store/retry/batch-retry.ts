import type { BatchRetrySettings } from '../../options/dynamo-kv.options.js';

export interface RetryHooks {
  /** Stops the waiting between requests; the caller turns the abort into its own error. */
  signal?: AbortSignal;
  /** Called before each resend. */
  onRetry?(): void;
  /** Asked before each resend: true ends the retries, leaving what is still unprocessed. */
  stop?(): boolean;
}

/** What is still unprocessed when the bound was reached (nothing when all went through), and why it stopped. */
export interface RetryOutcome<T> {
  unprocessed: T[];
  reason: string;
}

/**
 * Sends `pending`, then resends whatever comes back unprocessed, with exponential backoff and full jitter
 * (a random wait up to base × 2^retry, capped), until nothing is left or `policy` bounds it in attempts or
 * elapsed time. Never a tight loop, never silent: what is left at the bound is returned.
 */
export async function untilProcessed<T>(
  pending: T[],
  send: (batch: T[]) => Promise<T[]>,
  policy: BatchRetrySettings,
  hooks: RetryHooks = {},
): Promise<RetryOutcome<T>> {
  const started = Date.now();
  let left = await send(pending);
  for (let attempt = 1; left.length > 0; attempt += 1) {
    if (attempt >= policy.maxAttempts) return { unprocessed: left, reason: `still unprocessed after ${attempt} requests` };
    const delay = backoffDelay(attempt, policy);
    if (Date.now() - started + delay > policy.maxElapsedMs) {
      return { unprocessed: left, reason: `still unprocessed after ${attempt} requests in ${Date.now() - started} ms` };
    }
    await sleep(delay, hooks.signal);
    if (hooks.stop?.()) return { unprocessed: left, reason: `stopped after ${attempt} requests` };
    hooks.onRetry?.();
    left = await send(left);
  }
  return { unprocessed: [], reason: '' };
}

/** Full jitter: a random wait up to base × 2^(attempt - 1), capped. */
export function backoffDelay(attempt: number, policy: BatchRetrySettings): number {
  return Math.random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
}

/** Waits `ms`, or less when `signal` aborts (it resolves then; the next request sees the abort). */
export function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}
