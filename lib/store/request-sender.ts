import type { ConsumedCapacity, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SendOptions, StoreClient } from '../client/store-client.js';
import { OperationAbortedError } from '../contract/kv-store.errors.js';
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
  /** Every request's time budget, across the SDK's attempts. */
  timeoutMs: number;
}

/** What item and batch answers carry when asked with ReturnConsumedCapacity. */
type CapacityReport = { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] };

export interface SentRequest {
  operation: KvOperation;
  signal?: AbortSignal;
  /** Counted as consumed read or write capacity, when the answer reports it. */
  capacity?: CapacityKind;
}

/**
 * Sends one request of the store: refuses at once when the caller's signal has aborted, gives it the
 * store's time budget, counts the consumed capacity, and turns every failure into the store's typed error.
 */
export class RequestSender {
  constructor(
    private readonly target: RequestTarget,
    private readonly observer: OperationObserver,
  ) {}

  async send<T>(
    request: SentRequest,
    call: (client: DynamoDBClient, options: SendOptions) => Promise<T>,
  ): Promise<T> {
    const { operation, signal, capacity } = request;
    const { client, table, region, timeoutMs } = this.target;
    if (signal?.aborted) throw new OperationAbortedError(signal.reason, { operation, table });
    const budget = AbortSignal.timeout(timeoutMs);
    try {
      const output = await client.send(call, signal === undefined ? budget : AbortSignal.any([signal, budget]));
      if (capacity !== undefined) this.observer.consumed(operation, capacity, capacityUnits((output as CapacityReport).ConsumedCapacity));
      return output;
    } catch (error) {
      throw toKvStoreError(error, { operation, table, region, signal, budget: { ms: timeoutMs, signal: budget } });
    }
  }
}
