import { BatchIncompleteError, OperationAbortedError } from '../../contract/kv-store.errors.js';
import { BATCH_WRITE_LIMIT, deleteRequest, keyOfWrite, putRequest } from '../requests/batch-write.request.js';
import { untilProcessed } from '../retry/batch-retry.js';
import type { TableRequests } from '../table-requests.js';
import { BatchPump } from './batch-pump.js';
import { isAccessDenied, type CoalescerSettings } from './batching-settings.js';
import { Waiter } from './waiter.js';

/** An unconditional write of one key: a put with its expiry, or a delete. */
export type KeyWrite = { operation: 'set'; key: string; value: string; expiresAt: number | undefined } | { operation: 'delete'; key: string };

interface QueuedWrite {
  write: KeyWrite;
  waiter: Waiter<void>;
}

/**
 * Coalesces concurrent unconditional `set` and `delete` calls into BatchWriteItem requests of up to 25.
 * Writes to one key keep their issue order: a request never holds two writes of a key, and a write waits
 * while an earlier one of its key is on the wire. A caller's promise resolves only when DynamoDB
 * acknowledged its write; unprocessed items are resent with the batch retry policy first.
 */
export class WriteCoalescer {
  private readonly queue: QueuedWrite[] = [];
  /** Keys with a write on the wire: later writes of these keys wait. */
  private readonly busyKeys = new Set<string>();
  private readonly pump: BatchPump<QueuedWrite[]>;
  private batchDenied = false;

  constructor(
    private readonly requests: TableRequests,
    private readonly settings: CoalescerSettings,
  ) {
    this.pump = new BatchPump(settings.maxInFlight, () => this.take(), (batch) => this.sendAndRelease(batch));
  }

  write(write: KeyWrite, signal?: AbortSignal): Promise<void> {
    const context = { operation: write.operation, table: this.requests.target.table } as const;
    if (signal?.aborted) return Promise.reject(new OperationAbortedError(signal.reason, context));
    const waiter = new Waiter<void>(write.key, signal, context, (left) => {
      const index = this.queue.findIndex((queued) => queued.waiter === left);
      if (index !== -1) this.queue.splice(index, 1);
    });
    this.queue.push({ write, waiter });
    this.pump.schedule();
    return waiter.promise;
  }

  /** Resolves once every call made so far has been answered. */
  drained(): Promise<void> {
    return this.pump.whenIdle();
  }

  /** Up to 25 writes of distinct keys, in issue order, skipping keys with a write on the wire or already taken. */
  private take(): QueuedWrite[] | undefined {
    const batch: QueuedWrite[] = [];
    const taken = new Set<string>();
    for (let index = 0; index < this.queue.length && batch.length < BATCH_WRITE_LIMIT; ) {
      const queued = this.queue[index]!;
      const key = queued.write.key;
      if (this.busyKeys.has(key) || taken.has(key)) {
        // Later writes of this key stay behind this one.
        taken.add(key);
        index += 1;
        continue;
      }
      taken.add(key);
      batch.push(queued);
      this.queue.splice(index, 1);
    }
    if (batch.length === 0) return undefined;
    for (const { write } of batch) this.busyKeys.add(write.key);
    return batch;
  }

  private async sendAndRelease(batch: QueuedWrite[]): Promise<void> {
    await this.send(batch);
    for (const { write } of batch) this.busyKeys.delete(write.key);
  }

  private async send(batch: QueuedWrite[]): Promise<void> {
    try {
      if (batch.length > 1 && !this.batchDenied) {
        try {
          return await this.sendBatch(batch);
        } catch (error) {
          if (!isAccessDenied(error)) throw error;
          this.denyBatches();
        }
      }
      await Promise.all(batch.map((queued) => this.sendOne(queued)));
    } catch (error) {
      for (const { waiter } of batch) waiter.reject(error);
    }
  }

  private async sendOne({ write, waiter }: QueuedWrite): Promise<void> {
    try {
      if (write.operation === 'set') await this.requests.putItem('set', write.key, write.value, write.expiresAt);
      else await this.requests.deleteItem('delete', write.key);
      waiter.resolve();
    } catch (error) {
      waiter.reject(error);
    }
  }

  private async sendBatch(batch: QueuedWrite[]): Promise<void> {
    const format = this.requests.target.format;
    const byKey = new Map(batch.map((queued) => [queued.write.key, queued]));
    const requests = batch.map(({ write }) =>
      write.operation === 'set' ? putRequest(format, write.key, write.value, write.expiresAt) : deleteRequest(format, write.key),
    );
    const operation = batch.every(({ write }) => write.operation === 'delete') ? 'delete' : 'set';
    const outcome = await untilProcessed(
      requests,
      async (pending) => {
        const unprocessed = await this.requests.batchWrite(operation, pending);
        const left = new Set(unprocessed.map((request) => keyOfWrite(format, request)));
        for (const request of pending) {
          const key = keyOfWrite(format, request);
          if (!left.has(key)) byKey.get(key)?.waiter.resolve();
        }
        return unprocessed;
      },
      this.settings.batchRetry,
      { onRetry: () => this.settings.onRetry(operation) },
    );
    for (const request of outcome.unprocessed) {
      const queued = byKey.get(keyOfWrite(format, request));
      const error = new BatchIncompleteError([queued?.write.key ?? ''], outcome.reason, { operation: queued?.write.operation, table: this.requests.target.table });
      queued?.waiter.reject(error);
    }
  }

  private denyBatches(): void {
    this.batchDenied = true;
    this.settings.logger.warn(
      `DynamoDB refused dynamodb:BatchWriteItem on table '${this.requests.target.table}' (AccessDeniedException): ` +
        'concurrent sets and deletes now go out one PutItem or DeleteItem each. Allow dynamodb:BatchWriteItem to have them batched.',
    );
  }
}

