import { KvThrottledError, OperationAbortedError } from '../../contract/kv-store.errors.js';
import { BATCH_GET_LIMIT } from '../requests/batch-get.request.js';
import type { Found } from '../requests/item-format.js';
import { backoffDelay, sleep } from '../retry/batch-retry.js';
import { errorForOperation } from '../sdk-errors.js';
import type { TableRequests } from '../table-requests.js';
import { BatchPump } from './batch-pump.js';
import { BatchPermission, isAccessDenied, type CoalescerSettings } from './batching-settings.js';
import { earlyEndError } from './early-end.js';
import { LinkedQueue, type QueueNode } from './linked-queue.js';
import { Waiter } from './waiter.js';

interface QueuedRead {
  waiter: Waiter<Found>;
  node?: QueueNode<QueuedRead>;
  /** The caller's span, for the request's links. */
  link: unknown;
}

/** The callers waiting for one key; a key read by several callers at once is read once. */
type ReadBatch = Map<string, QueuedRead[]>;

/**
 * Coalesces concurrent `get` calls into BatchGetItem requests. A call goes out at once (in the same tick,
 * with whatever else was called in it) while fewer than `maxInFlight` requests are on the wire; otherwise
 * it queues, and the next request takes up to 100 distinct keys from the queue. A batch of one key is a
 * plain GetItem, so a lone caller pays nothing. Strongly consistent and eventually consistent reads never
 * share a request. Each call keeps its own budget, queue wait included, and ends with the error a lone
 * call would get: keys DynamoDB keeps leaving unprocessed end in `KvThrottledError` within it.
 */
export class ReadCoalescer {
  private readonly queues = { consistent: new LinkedQueue<QueuedRead>(), eventual: new LinkedQueue<QueuedRead>() };
  private readonly pump: BatchPump<{ batch: ReadBatch; consistentRead: boolean }>;
  private readonly permission: BatchPermission;
  /** Alternates between the two queues, so that neither kind of read starves the other. */
  private consistentFirst = false;

  constructor(
    private readonly requests: TableRequests,
    private readonly settings: CoalescerSettings,
  ) {
    this.pump = new BatchPump(settings.maxInFlight, () => this.take(), ({ batch, consistentRead }) => this.send(batch, consistentRead));
    this.permission = new BatchPermission('BatchGetItem', 'concurrent gets go out one GetItem each', settings.logger, requests.target.table);
  }

  read(key: string, consistentRead: boolean, signal?: AbortSignal): Promise<Found> {
    const table = this.requests.target.table;
    if (signal?.aborted) return Promise.reject(new OperationAbortedError(signal.reason, { operation: 'get', table }));
    const queue = consistentRead ? this.queues.consistent : this.queues.eventual;
    const timeoutMs = this.requests.timeoutMs;
    const queued: QueuedRead = {
      waiter: new Waiter<Found>(key, signal, timeoutMs, (waiter, why) => {
        if (queued.node !== undefined) queue.remove(queued.node);
        return earlyEndError(why, waiter.phase, { operation: 'get', table, write: false, timeoutMs, reason: signal?.reason });
      }),
      link: this.settings.tracing.callerLink(),
    };
    queued.node = queue.push(queued);
    this.pump.schedule();
    return queued.waiter.promise;
  }

  private take(): { batch: ReadBatch; consistentRead: boolean } | undefined {
    this.consistentFirst = !this.consistentFirst;
    const { consistent, eventual } = this.queues;
    const consistentRead = consistent.size > 0 && (this.consistentFirst || eventual.size === 0);
    const batch = takeKeys(consistentRead ? consistent : eventual);
    return batch.size === 0 ? undefined : { batch, consistentRead };
  }

  private async send(batch: ReadBatch, consistentRead: boolean): Promise<void> {
    if (batch.size > 1 && this.permission.allowed) {
      try {
        const links = [...batch.values()].flatMap((reads) => reads.map(({ link }) => link));
        return await this.settings.tracing.batchRequest('BatchGetItem', links, () => this.sendBatch(batch, consistentRead));
      } catch (error) {
        if (!isAccessDenied(error)) return rejectAll(batch, error);
        this.permission.deny();
      }
    }
    await Promise.all([...batch].map(([key, reads]) => this.sendOne(key, reads, consistentRead)));
  }

  private async sendOne(key: string, reads: QueuedRead[], consistentRead: boolean): Promise<void> {
    try {
      const links = reads.map(({ link }) => link);
      const found = await this.settings.tracing.batchRequest('GetItem', links, () =>
        this.requests.getItem('get', key, consistentRead, { deadline: latestDeadline(reads) }),
      );
      for (const { waiter } of reads) waiter.resolve(found);
    } catch (error) {
      for (const { waiter } of reads) waiter.reject(error);
    }
  }

  /** BatchGetItem, then resends of what comes back unprocessed while a caller still waits for it, within its budget. */
  private async sendBatch(batch: ReadBatch, consistentRead: boolean): Promise<void> {
    const deadline = latestDeadline([...batch.values()].flat());
    const policy = this.settings.batchRetry;
    for (let attempt = 1; ; attempt += 1) {
      const keys = [...batch].filter(([, reads]) => reads.some(({ waiter }) => waiter.pending)).map(([key]) => key);
      if (keys.length === 0) return;
      if (attempt > 1) this.settings.onRetry('get');
      for (const key of keys) for (const { waiter } of batch.get(key)!) waiter.phase = 'sent';
      const round = await this.requests.batchGet('get', keys, consistentRead, { deadline });
      const unprocessed = new Set(round.unprocessed);
      for (const key of keys) {
        const reads = batch.get(key)!;
        if (!unprocessed.has(key)) for (const { waiter } of reads) waiter.resolve(round.found.get(key) ?? { state: 'absent' });
        else for (const { waiter } of reads) waiter.phase = 'unprocessed';
      }
      if (unprocessed.size === 0) return;
      const delay = backoffDelay(attempt, policy);
      if (attempt >= policy.maxAttempts || performance.now() + delay >= deadline) {
        const error = new KvThrottledError(
          `DynamoDB left the get on table '${this.requests.target.table}' unprocessed (throttled) through ${attempt} requests.`,
          { operation: 'get', table: this.requests.target.table },
        );
        for (const key of unprocessed) for (const { waiter } of batch.get(key)!) waiter.reject(error);
        return;
      }
      await sleep(delay, undefined);
    }
  }
}

/** Up to 100 distinct keys from the front of the queue, each with every call for it there. */
function takeKeys(queue: LinkedQueue<QueuedRead>): ReadBatch {
  const batch: ReadBatch = new Map();
  for (let next = queue.peek(); next !== undefined; next = queue.peek()) {
    const reads = batch.get(next.waiter.key);
    if (reads === undefined && batch.size === BATCH_GET_LIMIT) break;
    queue.shift();
    next.node = undefined;
    next.waiter.phase = 'sent';
    if (reads !== undefined) reads.push(next);
    else batch.set(next.waiter.key, [next]);
  }
  return batch;
}

function rejectAll(batch: ReadBatch, error: unknown): void {
  const failure = errorForOperation(error, 'get');
  for (const reads of batch.values()) for (const { waiter } of reads) waiter.reject(failure);
}

/** The request of several calls ends when the last of them must have its answer. */
export function latestDeadline(entries: Iterable<{ waiter: { deadline: number } }>): number {
  let latest = 0;
  for (const { waiter } of entries) latest = Math.max(latest, waiter.deadline);
  return latest;
}
