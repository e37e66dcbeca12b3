import type { BatchRetrySettings } from '../options/dynamo-kv.options.js';
import { BATCH_CONCURRENCY, throwIfIncomplete } from './batch-reads.js';
import { chunk, inParallel } from './chunks.js';
import { BATCH_WRITE_LIMIT, keyOfWrite, type WriteRequest } from './requests/batch-write.request.js';
import { untilProcessed } from './retry/batch-retry.js';
import type { TableRequests } from './table-requests.js';

export interface BatchWrite {
  operation: 'set_many' | 'delete_many';
  /** One put or delete per key. */
  requests: WriteRequest[];
  signal?: AbortSignal;
  onRetry(): void;
}

/**
 * Sends puts or deletes with BatchWriteItem, 25 at a time, resending unprocessed items with the retry
 * policy. Not atomic: what DynamoDB wrote stays written; what it did not at the bound rejects the call
 * with `BatchIncompleteError` naming those keys.
 */
export async function writeMany(requests: TableRequests, policy: BatchRetrySettings, write: BatchWrite): Promise<void> {
  const { operation, signal } = write;
  const outcomes = await inParallel(chunk(write.requests, BATCH_WRITE_LIMIT), BATCH_CONCURRENCY, async (batch) => {
    const outcome = await untilProcessed(batch, (pending) => requests.batchWrite(operation, pending, signal), policy, {
      signal,
      onRetry: write.onRetry,
    });
    return { unprocessed: outcome.unprocessed.map((request) => keyOfWrite(requests.target.format, request)), reason: outcome.reason };
  });
  throwIfIncomplete(operation, requests.target.table, outcomes);
}
