import { BatchIncompleteError, KvOutcomeUnknownError, OperationAbortedError } from '../contract/kv-store.errors.js';
import type { BatchRetrySettings } from '../options/dynamo-kv.options.js';
import { BATCH_CONCURRENCY } from './batch-reads.js';
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

/** Where each key of the call stands. */
type KeyState = 'written' | 'unprocessed' | 'unknown';

/**
 * Sends puts or deletes with BatchWriteItem, 25 at a time (4 requests at once), resending unprocessed
 * items with the retry policy. Not atomic. At its first failure the call stops: no new request leaves, the
 * requests on the wire are awaited, and then it rejects with `BatchIncompleteError`, which says of every
 * key whether it was written, not written, or may have been: nothing is written after the call rejected.
 */
export async function writeMany(requests: TableRequests, policy: BatchRetrySettings, write: BatchWrite): Promise<void> {
  const { operation, signal } = write;
  if (signal?.aborted) throw new OperationAbortedError(signal.reason, { operation, table: requests.target.table });
  const format = requests.target.format;
  const states = new Map<string, KeyState>(write.requests.map((request) => [keyOfWrite(format, request), 'unprocessed']));
  let failure: unknown;
  let reason = '';
  const stopped = (): boolean => failure !== undefined || reason !== '';
  await inParallel(chunk(write.requests, BATCH_WRITE_LIMIT), BATCH_CONCURRENCY, async (batch) => {
    if (stopped()) return;
    /** Keys a resent request whose first answer was lost left unprocessed: they may have been applied. */
    const maybeApplied = new Set<string>();
    try {
      const outcome = await untilProcessed(
        batch,
        async (pending) => {
          const round = await requests.batchWrite(operation, pending, { signal });
          const left = new Set(round.unprocessed.map((request) => keyOfWrite(format, request)));
          for (const request of pending) {
            const key = keyOfWrite(format, request);
            if (!left.has(key)) states.set(key, 'written');
            else if (round.unprocessedMayHaveApplied) maybeApplied.add(key);
          }
          return round.unprocessed;
        },
        policy,
        { signal, onRetry: write.onRetry, stop: stopped },
      );
      if (outcome.unprocessed.length > 0) reason ||= outcome.reason;
      for (const key of maybeApplied) if (states.get(key) !== 'written') states.set(key, 'unknown');
    } catch (error) {
      failure ??= error;
      // The failed request's keys: unknown when it may have been applied, else as they stood before it.
      const pendingKeys = batch.map((request) => keyOfWrite(format, request)).filter((key) => states.get(key) !== 'written');
      for (const key of pendingKeys) if (error instanceof KvOutcomeUnknownError || maybeApplied.has(key)) states.set(key, 'unknown');
    }
  });
  if (!stopped()) return;
  const byState = { written: [] as string[], unprocessed: [] as string[], unknown: [] as string[] };
  for (const [key, state] of states) byState[state].push(key);
  const why = failure instanceof Error ? failure.message.replace(/\.$/, '') : reason;
  throw new BatchIncompleteError(
    { writtenKeys: byState.written, unprocessedKeys: byState.unprocessed, unknownKeys: byState.unknown },
    why,
    { operation, table: requests.target.table, cause: failure },
  );
}
