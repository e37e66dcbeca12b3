import { BatchIncompleteError, OperationAbortedError } from '../../contract/kv-store.errors.js';
import { BATCH_GET_LIMIT } from '../requests/batch-get.request.js';
import type { Found } from '../requests/item-format.js';
import { untilProcessed } from '../retry/batch-retry.js';
import type { TableRequests } from '../table-requests.js';
import { BatchPump } from './batch-pump.js';
import { isAccessDenied, type CoalescerSettings } from './batching-settings.js';
import { Waiter } from './waiter.js';

/** The callers waiting for one key; a key read by several callers at once is read once. */
type ReadBatch = Map<string, Array<Waiter<Found>>>;

/**
 * Coalesces concurrent `get` calls into BatchGetItem requests. A call goes out at once (in the same tick,
 * with whatever else was called in it) while fewer than `maxInFlight` requests are on the wire; otherwise
 * it queues, and the next request takes up to 100 distinct keys from the queue. A batch of one key is a
 * plain GetItem, so a lone caller pays nothing. Strongly consistent and eventually consistent reads never
 * share a request.
 */
export class ReadCoalescer {
  private readonly queues = { consistent: [] as Array<Waiter<Found>>, eventual: [] as Array<Waiter<Found>> };
  private readonly pump: BatchPump<{ batch: ReadBatch; consistentRead: boolean }>;
  private batchDenied = false;
  /** Alternates between the two queues, so that neither kind of read starves the other. */
  private consistentFirst = false;

  constructor(
    private readonly requests: TableRequests,
    private readonly settings: CoalescerSettings,
  ) {
    this.pump = new BatchPump(settings.maxInFlight, () => this.take(), ({ batch, consistentRead }) => this.send(batch, consistentRead));
  }

  read(key: string, consistentRead: boolean, signal?: AbortSignal): Promise<Found> {
    const context = { operation: 'get', table: this.requests.target.table } as const;
    if (signal?.aborted) return Promise.reject(new OperationAbortedError(signal.reason, context));
    const queue = consistentRead ? this.queues.consistent : this.queues.eventual;
    const waiter = new Waiter<Found>(key, signal, context, (left) => {
      const index = queue.indexOf(left);
      if (index !== -1) queue.splice(index, 1);
    });
    queue.push(waiter);
    this.pump.schedule();
    return waiter.promise;
  }

  /** Resolves once every call made so far has been answered. */
  drained(): Promise<void> {
    return this.pump.whenIdle();
  }

  private take(): { batch: ReadBatch; consistentRead: boolean } | undefined {
    this.consistentFirst = !this.consistentFirst;
    const { consistent, eventual } = this.queues;
    const consistentRead = consistent.length > 0 && (this.consistentFirst || eventual.length === 0);
    const batch = takeKeys(consistentRead ? consistent : eventual);
    return batch.size === 0 ? undefined : { batch, consistentRead };
  }

  private async send(batch: ReadBatch, consistentRead: boolean): Promise<void> {
    try {
      if (batch.size > 1 && !this.batchDenied) {
        try {
          return await this.sendBatch(batch, consistentRead);
        } catch (error) {
          if (!isAccessDenied(error)) throw error;
          this.denyBatches();
        }
      }
      await Promise.all([...batch].map(([key, waiters]) => this.sendOne(key, waiters, consistentRead)));
    } catch (error) {
      for (const waiters of batch.values()) for (const waiter of waiters) waiter.reject(error);
    }
  }

  private async sendOne(key: string, waiters: Array<Waiter<Found>>, consistentRead: boolean): Promise<void> {
    try {
      const found = await this.requests.getItem('get', key, consistentRead);
      for (const waiter of waiters) waiter.resolve(found);
    } catch (error) {
      for (const waiter of waiters) waiter.reject(error);
    }
  }

  private async sendBatch(batch: ReadBatch, consistentRead: boolean): Promise<void> {
    const answer = (key: string, found: Found): void => {
      for (const waiter of batch.get(key) ?? []) waiter.resolve(found);
    };
    const outcome = await untilProcessed(
      [...batch.keys()],
      async (keys) => {
        const round = await this.requests.batchGet('get', keys, consistentRead);
        const unprocessed = new Set(round.unprocessed);
        for (const key of keys) if (!unprocessed.has(key)) answer(key, round.found.get(key) ?? { state: 'absent' });
        return round.unprocessed;
      },
      this.settings.batchRetry,
      { onRetry: () => this.settings.onRetry('get') },
    );
    for (const key of outcome.unprocessed) {
      const error = new BatchIncompleteError([key], outcome.reason, { operation: 'get', table: this.requests.target.table });
      for (const waiter of batch.get(key) ?? []) waiter.reject(error);
    }
  }

  private denyBatches(): void {
    this.batchDenied = true;
    this.settings.logger.warn(
      `DynamoDB refused dynamodb:BatchGetItem on table '${this.requests.target.table}' (AccessDeniedException): ` +
        'concurrent gets now go out one GetItem each. Allow dynamodb:BatchGetItem to have them batched.',
    );
  }
}

/** Up to 100 distinct keys from the front of the queue, each with every waiter for it there. */
function takeKeys(queue: Array<Waiter<Found>>): ReadBatch {
  const batch: ReadBatch = new Map();
  let taken = 0;
  for (; taken < queue.length; taken += 1) {
    const waiter = queue[taken]!;
    const waiters = batch.get(waiter.key);
    if (waiters !== undefined) waiters.push(waiter);
    else if (batch.size === BATCH_GET_LIMIT) break;
    else batch.set(waiter.key, [waiter]);
  }
  queue.splice(0, taken);
  return batch;
}
