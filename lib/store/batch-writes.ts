import type { BatchRetrySettings } from '../options/dynamo-kv.options.js';
import type { OperationObserver } from '../observability/operation-observer.js';
import { BATCH_CONCURRENCY, throwIfIncomplete } from './batch-reads.js';
import { chunk, inParallel } from './chunks.js';
import { BATCH_WRITE_LIMIT, batchWriteCommand, keyOfWrite, unprocessedWrites, type WriteRequest } from './requests/batch-write.request.js';
import type { TableTarget } from './requests/item.request.js';
import type { RequestSender } from './request-sender.js';
import { untilProcessed } from './retry/batch-retry.js';

/**
 * Sends puts or deletes (one per key) with BatchWriteItem, 25 at a time, resending unprocessed items with
 * the retry policy. Not atomic: what DynamoDB wrote stays written; what it did not at the bound rejects
 * the call with `BatchIncompleteError` naming those keys.
 */
export async function writeMany(
  sender: RequestSender,
  target: TableTarget,
  observer: OperationObserver,
  policy: BatchRetrySettings,
  write: { operation: 'set_many' | 'delete_many'; requests: WriteRequest[]; signal?: AbortSignal },
): Promise<void> {
  const { operation, signal } = write;
  const outcomes = await inParallel(chunk(write.requests, BATCH_WRITE_LIMIT), BATCH_CONCURRENCY, async (requests) => {
    const outcome = await untilProcessed(
      requests,
      async (pending) => {
        const output = await sender.send({ operation, signal, capacity: 'write' }, (client, options) =>
          client.send(batchWriteCommand(target, pending), options),
        );
        return unprocessedWrites(target, output);
      },
      policy,
      { signal, onRetry: () => observer.batchRetried(operation) },
    );
    return { unprocessed: outcome.unprocessed.map((request) => keyOfWrite(target.format, request)), reason: outcome.reason };
  });
  throwIfIncomplete(operation, target.table, outcomes);
}
