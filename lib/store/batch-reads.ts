import { BatchIncompleteError } from '../contract/kv-store.errors.js';
import type { BatchRetrySettings } from '../options/dynamo-kv.options.js';
import { chunk, inParallel } from './chunks.js';
import type { OperationObserver } from '../observability/operation-observer.js';
import { BATCH_GET_LIMIT, batchGetCommand, readBatchGet } from './requests/batch-get.request.js';
import type { TableTarget } from './requests/item.request.js';
import type { RequestSender } from './request-sender.js';
import { untilProcessed } from './retry/batch-retry.js';

/** Batch requests of one call in flight at once: enough to overlap round trips, few enough to be polite. */
export const BATCH_CONCURRENCY = 4;

export interface BatchRead {
  keys: string[];
  consistentRead: boolean;
  signal?: AbortSignal;
  now(): number;
}

/**
 * Reads distinct keys with BatchGetItem, 100 at a time, resending unprocessed keys with the retry policy.
 * The map holds the keys that have an unexpired value. Keys still unread at the bound reject the whole
 * call with {@link BatchIncompleteError}: never a silently partial answer.
 */
export async function readMany(
  sender: RequestSender,
  target: TableTarget,
  observer: OperationObserver,
  policy: BatchRetrySettings,
  read: BatchRead,
): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const { consistentRead, signal } = read;
  const outcomes = await inParallel(chunk(read.keys, BATCH_GET_LIMIT), BATCH_CONCURRENCY, (keys) =>
    untilProcessed(
      keys,
      async (pending) => {
        const request = { operation: 'get_many', signal, capacity: 'read' } as const;
        const output = await sender.send(request, (client, options) => client.send(batchGetCommand(target, pending, consistentRead), options));
        const { items, unprocessed } = readBatchGet(target, output);
        for (const item of items) {
          const key = target.format.callerKey(item);
          const stored = target.format.read(item, read.now());
          if (key !== undefined && stored.state === 'value') found.set(key, stored.value);
        }
        return unprocessed;
      },
      policy,
      { signal, onRetry: () => observer.batchRetried('get_many') },
    ),
  );
  throwIfIncomplete('get_many', target.table, outcomes);
  return found;
}

/** One {@link BatchIncompleteError} for all the chunks of a call that hit the retry bound. */
export function throwIfIncomplete(operation: 'get_many' | 'set_many' | 'delete_many', table: string, outcomes: Array<{ unprocessed: string[]; reason: string }>): void {
  const incomplete = outcomes.filter((outcome) => outcome.unprocessed.length > 0);
  if (incomplete.length === 0) return;
  const unprocessed = incomplete.flatMap((outcome) => outcome.unprocessed);
  throw new BatchIncompleteError(unprocessed, incomplete[0]!.reason, { operation, table });
}
