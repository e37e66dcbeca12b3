import type { ConsumedCapacity, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AttemptLog } from '../client/call-context.js';
import { CallSignal } from '../client/call-signal.js';
import type { SendOptions, StoreClient } from '../client/store-client.js';
import { KvUnavailableError, OperationAbortedError } from '../contract/kv-store.errors.js';
import type { KvOperation } from '../contract/kv-store.interface.js';
import type { CapacityKind } from '../observability/consumed-capacity.metric.js';
import type { OperationObserver } from '../observability/operation-observer.js';
import { capacityUnits } from './requests/consumed-capacity.js';
import { toKvStoreError } from './sdk-errors.js';

/** Where the store's requests go, and how long each may take. */
export interface RequestTarget {
  client: StoreClient;
  table: string;
  region: string;
  /** A call's time budget, across the SDK's attempts and any time it waited in a queue first. */
  timeoutMs: number;
}

/** What item and batch answers carry when asked with ReturnConsumedCapacity. */
type CapacityReport = { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] };

export interface SentRequest {
  operation: KvOperation;
  signal?: AbortSignal;
  /** Counted as consumed read or write capacity, when the answer reports it. */
  capacity?: CapacityKind;
  /** When the request must have ended (`performance.now()` time): the call's own deadline. Now + timeoutMs by default. */
  deadline?: number;
  /** Learns whether an attempt may have been applied, on success too. */
  log?: AttemptLog;
}

/** The reason a request's signal aborts when its budget runs out. */
class BudgetExpired extends Error {
  override readonly name = 'TimeoutError';
}

/**
 * Sends one request of the store: refuses at once when the caller's signal has aborted or its deadline has
 * passed, ends it at its deadline, counts the consumed capacity, and turns every failure into the store's
 * typed error. One {@link CallSignal} and one timer per request, both released when it ends: a long-lived
 * caller signal keeps nothing of a finished request (AbortSignal.any would keep one entry per call).
 */
export class RequestSender {
  constructor(
    private readonly target: RequestTarget,
    private readonly observer: OperationObserver,
  ) {}

  get timeoutMs(): number {
    return this.target.timeoutMs;
  }

  async send<T>(request: SentRequest, call: (client: DynamoDBClient, options: SendOptions) => Promise<T>): Promise<T> {
    const { operation, signal, capacity, log } = request;
    const { client, table, region, timeoutMs } = this.target;
    if (signal?.aborted) throw new OperationAbortedError(signal.reason, { operation, table });
    const budgetMs = Math.floor((request.deadline ?? performance.now() + timeoutMs) - performance.now());
    if (budgetMs <= 0) {
      throw new KvUnavailableError(`The ${operation} on table '${table}' was not sent within its ${timeoutMs} ms budget; nothing was changed.`, {
        operation,
        table,
      });
    }
    const ending = new CallSignal();
    const timer = setTimeout(() => ending.abort(new BudgetExpired(`No answer within ${budgetMs} ms.`)), budgetMs);
    const onAbort = (): void => ending.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const output = await client.send(call, ending, log);
      if (capacity !== undefined) this.observer.consumed(operation, capacity, capacityUnits((output as CapacityReport).ConsumedCapacity));
      return output;
    } catch (error) {
      const expired = ending.reason instanceof BudgetExpired;
      throw toKvStoreError(error, { operation, table, region, signal, budget: { ms: timeoutMs, expired } });
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }
}
