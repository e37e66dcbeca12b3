import { KvOutcomeUnknownError, KvThrottledError, OperationAbortedError } from '../../contract/kv-store.errors.js';
import type { KvOperation } from '../../contract/kv-store.interface.js';
import { BATCH_WRITE_LIMIT, deleteRequest, keyOfWrite, putRequest } from '../requests/batch-write.request.js';
import { backoffDelay, sleep } from '../retry/batch-retry.js';
import { errorForOperation } from '../sdk-errors.js';
import type { RequestWindow, TableRequests } from '../table-requests.js';
import { BatchPump } from './batch-pump.js';
import { BatchPermission, isAccessDenied, type CoalescerSettings } from './batching-settings.js';
import { earlyEndError } from './early-end.js';
import { LinkedQueue, type QueueNode } from './linked-queue.js';
import { latestDeadline } from './read-coalescer.js';
import { Waiter } from './waiter.js';

/**
 * A write of one key: an unconditional put with its expiry or a delete (these leave in batches), or a
 * conditional write, which leaves alone (BatchWriteItem takes no conditions) but in its key's turn.
 */
export type KeyWrite =
  | { kind: 'put'; key: string; value: string; expiresAt: number | undefined }
  | { kind: 'delete'; key: string }
  | { kind: 'conditional'; key: string; send: (window: RequestWindow) => Promise<boolean> };

interface QueuedWrite {
  operation: KvOperation;
  write: KeyWrite;
  waiter: Waiter<boolean>;
  node?: QueueNode<QueuedWrite>;
  /** A resent request whose first attempt's answer was lost left it unprocessed: it may have been applied. */
  maybeApplied?: boolean;
  /** The caller's span, for the request's links. */
  link: unknown;
}

/** One key's writes: the queue behind it, and whether one of its writes is out (on the wire or awaiting a resend). */
interface KeyTurn {
  queue: LinkedQueue<QueuedWrite>;
  busy: boolean;
  ready: boolean;
}

/**
 * Coalesces concurrent writes. Unconditional `set` and `delete` calls leave in BatchWriteItem requests of
 * up to 25; conditional writes leave one by one. Writes to one key keep their issue order, conditional
 * ones included: a key has at most one write out at a time, and its next write leaves only once DynamoDB
 * has acknowledged the previous one or that one's request has ended. A write whose caller stopped waiting
 * (its signal or its budget) still holds its key until its request ends, so no later write of the key can
 * overtake it. A caller's promise resolves only when DynamoDB acknowledged its write. Every queue
 * operation is O(1): a hot key with thousands of queued writes costs no more per take than a cold one.
 */
export class WriteCoalescer {
  private readonly turns = new Map<string, KeyTurn>();
  /** Keys whose next write may leave, in the order they became ready. */
  private readonly readyKeys = new LinkedQueue<string>();
  private readonly pump: BatchPump<QueuedWrite[]>;
  private readonly permission: BatchPermission;

  constructor(
    private readonly requests: TableRequests,
    private readonly settings: CoalescerSettings,
  ) {
    this.pump = new BatchPump(settings.maxInFlight, () => this.take(), (batch) => this.send(batch));
    this.permission = new BatchPermission(
      'BatchWriteItem',
      'concurrent sets and deletes go out one PutItem or DeleteItem each',
      settings.logger,
      requests.target.table,
    );
  }

  /** Resolves when DynamoDB acknowledged the write: with true for an unconditional write, with the condition's answer otherwise. */
  write(operation: KvOperation, write: KeyWrite, signal?: AbortSignal): Promise<boolean> {
    const table = this.requests.target.table;
    if (signal?.aborted) return Promise.reject(new OperationAbortedError(signal.reason, { operation, table }));
    const turn = this.turnOf(write.key);
    const timeoutMs = this.requests.timeoutMs;
    const queued: QueuedWrite = {
      operation,
      write,
      waiter: new Waiter<boolean>(write.key, signal, timeoutMs, (waiter, why) => {
        if (queued.node !== undefined) this.leaveQueue(turn, queued.node);
        return earlyEndError(why, waiter.phase, { operation, table, write: true, timeoutMs, reason: signal?.reason });
      }),
      link: this.settings.tracing.callerLink(),
    };
    queued.node = turn.queue.push(queued);
    this.markReady(turn, write.key);
    this.pump.schedule();
    return queued.waiter.promise;
  }

  private turnOf(key: string): KeyTurn {
    let turn = this.turns.get(key);
    if (turn === undefined) {
      turn = { queue: new LinkedQueue(), busy: false, ready: false };
      this.turns.set(key, turn);
    }
    return turn;
  }

  private markReady(turn: KeyTurn, key: string): void {
    if (turn.busy || turn.ready || turn.queue.size === 0) return;
    turn.ready = true;
    this.readyKeys.push(key);
  }

  private leaveQueue(turn: KeyTurn, node: QueueNode<QueuedWrite>): void {
    turn.queue.remove(node);
    node.value.node = undefined;
    if (!turn.busy && turn.queue.size === 0 && !turn.ready) this.turns.delete(node.value.write.key);
  }

  /** Up to 25 writes of distinct keys, each the next in its key's turn. */
  private take(): QueuedWrite[] | undefined {
    const batch: QueuedWrite[] = [];
    while (batch.length < BATCH_WRITE_LIMIT) {
      const key = this.readyKeys.shift();
      if (key === undefined) break;
      const turn = this.turns.get(key);
      // Only a ready key's one entry counts: a key must never have two writes out.
      if (turn === undefined || !turn.ready || turn.busy) continue;
      turn.ready = false;
      const next = turn.queue.shift();
      if (next === undefined) {
        if (!turn.busy) this.turns.delete(key);
        continue;
      }
      next.node = undefined;
      next.waiter.phase = 'sent';
      turn.busy = true;
      batch.push(next);
    }
    return batch.length === 0 ? undefined : batch;
  }

  /** The key's write has ended: its next write may leave. */
  private release(key: string): void {
    const turn = this.turns.get(key);
    if (turn === undefined) return;
    turn.busy = false;
    if (turn.queue.size === 0) this.turns.delete(key);
    else {
      this.markReady(turn, key);
      this.pump.schedule();
    }
  }

  private async send(batch: QueuedWrite[]): Promise<void> {
    const conditional = batch.filter(({ write }) => write.kind === 'conditional');
    const plain = batch.filter(({ write }) => write.kind !== 'conditional');
    const sent = conditional.map((queued) => this.sendOne(queued));
    if (plain.length > 1 && this.permission.allowed) sent.push(this.sendBatchOrSingly(plain));
    else sent.push(...plain.map((queued) => this.sendOne(queued)));
    await Promise.all(sent);
  }

  private async sendBatchOrSingly(plain: QueuedWrite[]): Promise<void> {
    const links = plain.map(({ link }) => link);
    const denied = await this.settings.tracing.batchRequest('BatchWriteItem', links, () => this.sendBatch(plain));
    if (denied.length === 0) return;
    this.permission.deny();
    await Promise.all(denied.map((queued) => this.sendOne(queued)));
  }

  private async sendOne(queued: QueuedWrite): Promise<void> {
    const { write, waiter } = queued;
    waiter.phase = 'sent';
    try {
      const request = write.kind === 'delete' ? 'DeleteItem' : 'PutItem';
      waiter.resolve(await this.settings.tracing.batchRequest(request, [queued.link], () => this.sendAlone(queued)));
    } catch (error) {
      waiter.reject(error);
    } finally {
      this.release(write.key);
    }
  }

  private async sendAlone({ write, waiter, operation }: QueuedWrite): Promise<boolean> {
    const window = { deadline: waiter.deadline };
    if (write.kind === 'conditional') return write.send(window);
    if (write.kind === 'put') await this.requests.putItem(operation, write.key, write.value, write.expiresAt, window);
    else await this.requests.deleteItem(operation, write.key, window);
    return true;
  }

  /**
   * BatchWriteItem, then resends of what DynamoDB leaves unprocessed while its caller still waits, within
   * the callers' budgets. Each key is released as soon as its write is acknowledged or has ended. Returns
   * the writes to send singly when the batch action was denied (then nothing of the batch was sent).
   */
  private async sendBatch(batch: QueuedWrite[]): Promise<QueuedWrite[]> {
    const format = this.requests.target.format;
    const deadline = latestDeadline(batch);
    const policy = this.settings.batchRetry;
    let pending = batch;
    for (let attempt = 1; ; attempt += 1) {
      // A caller that stopped waiting while its write was unprocessed was told nothing changed: it is never resent.
      for (const queued of pending) if (!queued.waiter.pending) this.release(queued.write.key);
      pending = pending.filter(({ waiter }) => waiter.pending);
      if (pending.length === 0) return [];
      const operation = pending.every(({ write }) => write.kind === 'delete') ? 'delete' : 'set';
      if (attempt > 1) this.settings.onRetry(operation);
      for (const queued of pending) queued.waiter.phase = 'sent';
      const requests = pending.map(({ write }) => (write.kind === 'put' ? putRequest(format, write.key, write.value, write.expiresAt) : deleteRequest(format, write.key)));
      let left: Set<string>;
      try {
        const round = await this.requests.batchWrite(operation, requests, { deadline });
        left = new Set(round.unprocessed.map((request) => keyOfWrite(format, request)));
        for (const queued of pending) {
          if (!left.has(queued.write.key)) {
            queued.waiter.resolve(true);
            this.release(queued.write.key);
          } else {
            queued.maybeApplied ||= round.unprocessedMayHaveApplied;
            queued.waiter.phase = queued.maybeApplied ? 'maybe-applied' : 'unprocessed';
          }
        }
      } catch (error) {
        if (attempt === 1 && isAccessDenied(error)) {
          for (const queued of pending) queued.waiter.phase = 'queued';
          return pending;
        }
        for (const queued of pending) this.fail(queued, error);
        return [];
      }
      pending = pending.filter(({ write }) => left.has(write.key));
      if (pending.length === 0) return [];
      const delay = backoffDelay(attempt, policy);
      if (attempt >= policy.maxAttempts || performance.now() + delay >= deadline) {
        const reason = `through ${attempt} requests`;
        for (const queued of pending) this.fail(queued, this.stillUnprocessed(queued, reason));
        return [];
      }
      await sleep(delay, undefined);
    }
  }

  /** Ends a write of a batch with `error`, told in its own operation's words; a write that may have been applied is never "nothing changed". */
  private fail(queued: QueuedWrite, error: unknown): void {
    const own = errorForOperation(error, queued.operation);
    if (queued.maybeApplied === true && !(own instanceof KvOutcomeUnknownError)) {
      queued.waiter.reject(this.stillUnprocessed(queued, 'after a resent request'));
    } else {
      queued.waiter.reject(own);
    }
    this.release(queued.write.key);
  }

  private stillUnprocessed(queued: QueuedWrite, reason: string): Error {
    const context = { operation: queued.operation, table: this.requests.target.table };
    if (queued.maybeApplied === true) {
      return new KvOutcomeUnknownError(
        `The ${queued.operation} on table '${context.table}' was left unprocessed ${reason}, after an attempt whose answer was lost: ` +
          'the write may or may not have been applied. Read the key to know.',
        context,
      );
    }
    return new KvThrottledError(`DynamoDB left the ${queued.operation} on table '${context.table}' unprocessed (throttled) ${reason}; nothing was changed.`, context);
  }
}
