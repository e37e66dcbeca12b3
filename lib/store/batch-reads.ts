import { BatchIncompleteError } from '../contract/kv-store.errors.js';
import type { KvOperation } from '../contract/kv-store.interface.js';
import type { BatchRetrySettings } from '../options/dynamo-kv.options.js';
import { chunk, inParallel } from './chunks.js';
import { BATCH_GET_LIMIT } from './requests/batch-get.request.js';
import { untilProcessed, type RetryHooks } from './retry/batch-retry.js';
import type { TableRequests } from './table-requests.js';

/** Batch requests of one call in flight at once: enough to overlap round trips, few enough to be polite. */
export const BATCH_CONCURRENCY = 4;

export interface BatchRead {
  keys: string[];
  consistentRead: boolean;
  signal?: AbortSignal;
  onRetry(): void;
}

/**
 * Reads distinct keys with BatchGetItem, 100 at a time, resending unprocessed keys with the retry policy.
 * The map holds the keys that have an unexpired value. Keys still unread at the bound reject the whole
 * call with {@link BatchIncompleteError}: never a silently partial answer.
 */
export async function readMany(requests: TableRequests, policy: BatchRetrySettings, read: BatchRead): Promise<Map<string, string>> {
  const values = new Map<string, string>();
  const { consistentRead, signal } = read;
  const outcomes = await inParallel(chunk(read.keys, BATCH_GET_LIMIT), BATCH_CONCURRENCY, (keys) =>
    untilProcessed(
      keys,
      async (pending) => {
        const round = await requests.batchGet('get_many', pending, consistentRead, { signal });
        for (const [key, found] of round.found) if (found.state === 'value') values.set(key, found.value);
        return round.unprocessed;
      },
      policy,
      { signal, onRetry: read.onRetry } satisfies RetryHooks,
    ),
  );
  throwIfIncomplete('get_many', requests.target.table, outcomes);
  return values;
}

/** One {@link BatchIncompleteError} for all the chunks of a call that hit the retry bound. */
export function throwIfIncomplete(operation: KvOperation, table: string, outcomes: Array<{ unprocessed: string[]; reason: string }>): void {
  const incomplete = outcomes.filter((outcome) => outcome.unprocessed.length > 0);
  if (incomplete.length === 0) return;
  const unprocessed = incomplete.flatMap((outcome) => outcome.unprocessed);
  throw new BatchIncompleteError(unprocessed, incomplete[0]!.reason, { operation, table });
}
