import type { PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { StoreClient } from '../client/store-client.js';
import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import { InvalidJsonError, KeyNotFoundError, TableNotActiveError, type KvStoreError } from '../contract/kv-store.errors.js';
import type {
  KvCallOptions,
  KvOperation,
  KvHealth,
  KvHealthCheckOptions,
  KvHealthDetails,
  KvIncrementOptions,
  KvListOptions,
  KvReadOptions,
  KVStore,
  KvWriteOptions,
} from '../contract/kv-store.interface.js';
import type { KvLease, KvLeaseOptions } from '../contract/kv-lease.interface.js';
import { acquireLease } from '../coordination/leases/acquire-lease.js';
import { batchList, type BatchOperation } from '../input/batch-arguments.js';
import { jsonOf } from '../input/json-value.js';
import { InputRules } from '../input/input-rules.js';
import type { ObservedKeys } from '../observability/operation-log.js';
import type { OperationObserver } from '../observability/operation-observer.js';
import type { DynamoKvSettings } from '../options/dynamo-kv.settings.js';
import { readMany } from './batch-reads.js';
import { ReadCoalescer } from './batching/read-coalescer.js';
import { WriteCoalescer } from './batching/write-coalescer.js';
import { writeMany } from './batch-writes.js';
import { deleteRequest, putRequest, type WriteRequest } from './requests/batch-write.request.js';
import { CallGate } from './call-gate.js';
import { compareAndSwapCommand, putIfAbsentCommand } from './requests/conditional-put.request.js';
import { ItemFormat, type StoredItem } from './requests/item-format.js';
import { RequestSender } from './request-sender.js';
import { describeFailure } from './sdk-errors.js';
import { incrementCounter } from './counter-increment.js';
import { TableHealth } from './table-health.js';
import { TableRequests, type RequestWindow } from './table-requests.js';

/** The store's client and the region it resolved at bootstrap. */
export interface StoreConnection {
  client: StoreClient;
  region: string;
}

/**
 * {@link KVStore} over one DynamoDB table: string partition key, string value attribute, optional expiry.
 * It validates input before any request, lets the observer see each operation, and delegates the
 * requests. It owns its client's lifecycle: a client it built is destroyed once, on application shutdown.
 */
export class DynamoKvStore implements KVStore, OnApplicationShutdown {
  private readonly logger = new Logger(DynamoKvStore.name);
  private readonly input: InputRules;
  private readonly requests: TableRequests;
  private readonly health: TableHealth;
  /** Automatic batching of concurrent gets, and of concurrent unconditional sets and deletes; absent when off. */
  private readonly coalescers?: { reads: ReadCoalescer; writes: WriteCoalescer };
  private readonly gate: CallGate;
  private clientClosed = false;

  constructor(
    private readonly settings: DynamoKvSettings,
    private readonly connection: StoreConnection,
    private readonly observer: OperationObserver,
  ) {
    const format = new ItemFormat(settings);
    const sender = new RequestSender({ ...connection, table: settings.table, timeoutMs: settings.timeoutMs }, observer);
    this.input = new InputRules(format, settings.table, settings.ttl.defaultSeconds, Date.now);
    this.requests = new TableRequests(sender, { table: settings.table, format }, Date.now);
    this.health = new TableHealth(settings, connection.region, sender, observer);
    this.gate = new CallGate(settings.maxPendingCalls, settings);
    if (settings.batching.enabled) {
      const coalescing = {
        maxInFlight: settings.batching.maxInFlight,
        batchRetry: settings.batchRetry,
        onRetry: (operation: 'get' | 'set' | 'delete') => observer.batchRetried(operation),
        logger: this.logger,
        tracing: observer,
      };
      this.coalescers = { reads: new ReadCoalescer(this.requests, coalescing), writes: new WriteCoalescer(this.requests, coalescing) };
    }
  }

  get name(): string {
    return this.settings.name;
  }

  get table(): string {
    return this.settings.table;
  }

  get region(): string {
    return this.connection.region;
  }

  get keyPrefix(): string {
    return this.settings.keyPrefix;
  }

  get(key: string, options: KvReadOptions = {}): Promise<string> {
    return this.call('get', { key }, () => this.read('get', key, options));
  }

  getJson<T = unknown>(key: string, options: KvReadOptions = {}): Promise<T> {
    return this.call('get_json', { key }, async () => {
      const value = await this.read('get_json', key, options);
      try {
        return JSON.parse(value) as T;
      } catch (error) {
        throw new InvalidJsonError(key, this.table, error);
      }
    });
  }

  set(key: string, value: string, options: KvWriteOptions = {}): Promise<void> {
    return this.call('set', { key }, () => this.write('set', key, value, options));
  }

  setJson(key: string, value: unknown, options: KvWriteOptions = {}): Promise<void> {
    return this.call('set_json', { key }, () =>
      this.write('set_json', key, jsonOf(value, { operation: 'set_json', table: this.table }), options),
    );
  }

  delete(key: string, options: KvCallOptions = {}): Promise<void> {
    return this.call('delete', { key }, async () => {
      this.input.key(key, { operation: 'delete' });
      if (this.coalescers) await this.coalescers.writes.write('delete', { kind: 'delete', key }, options.signal);
      else await this.requests.deleteItem('delete', key, { signal: options.signal });
    });
  }

  setIfAbsent(key: string, value: string, options: KvWriteOptions = {}): Promise<boolean> {
    return this.call('set_if_absent', { key }, () => {
      const write = this.input.conditionalWrite({ operation: 'set_if_absent' }, key, value, options.ttlSeconds);
      return this.conditionalWrite('set_if_absent', key, options.signal, (token, nowMs) =>
        putIfAbsentCommand(this.requests.target, { key, ...write, token }, nowMs),
      );
    });
  }

  compareAndSwap(key: string, expected: string, next: string, options: KvWriteOptions = {}): Promise<boolean> {
    return this.call('compare_and_swap', { key }, () => {
      const place = { operation: 'compare_and_swap' } as const;
      this.input.value(expected, place);
      const write = this.input.conditionalWrite(place, key, next, options.ttlSeconds);
      return this.conditionalWrite('compare_and_swap', key, options.signal, (token, nowMs) =>
        compareAndSwapCommand(this.requests.target, { key, ...write, token }, expected, nowMs),
      );
    });
  }

  increment(key: string, delta = 1, options: KvIncrementOptions = {}): Promise<number> {
    return this.call('increment', { key }, () => {
      const step = this.input.counter({ operation: 'increment' }, key, delta, options.ttlSeconds);
      return this.inKeyTurn('increment', key, options.signal, (window) => incrementCounter(this.requests, step, window));
    });
  }

  touch(key: string, options: KvWriteOptions = {}): Promise<boolean> {
    return this.call('touch', { key }, () => {
      this.input.key(key, { operation: 'touch' });
      const expiresAt = this.input.expiry(options.ttlSeconds, { operation: 'touch' });
      return this.inKeyTurn('touch', key, options.signal, (window) => this.requests.touch('touch', key, expiresAt, window));
    });
  }

  acquireLease(name: string, options: KvLeaseOptions): Promise<KvLease | null> {
    return acquireLease(this, name, options, { table: this.table, now: Date.now, timeoutMs: this.settings.timeoutMs });
  }

  getMany(keys: Iterable<string>, options: KvReadOptions = {}): Promise<Map<string, string>> {
    return this.batchCall('get_many', keys, (list) => {
      list.forEach((key, entry) => this.input.key(key, { operation: 'get_many', entry }));
      return readMany(this.requests, this.settings.batchRetry, {
        keys: [...new Set(list)],
        consistentRead: options.consistentRead ?? this.settings.consistentRead,
        signal: options.signal,
        onRetry: () => this.observer.batchRetried('get_many'),
      });
    });
  }

  setMany(entries: Iterable<readonly [string, string]>, options: KvWriteOptions = {}): Promise<void> {
    return this.batchCall('set_many', entries, async (list) => {
      const expiresAt = this.input.expiry(options.ttlSeconds, { operation: 'set_many' });
      // Sequential calls would leave the last value of a repeated key; DynamoDB refuses repeats in one batch.
      const latest = new Map<string, string>();
      list.forEach((pair, entry) => {
        const [key, value] = this.input.pair(pair);
        const write = this.input.write({ operation: 'set_many', entry }, key, value, options.ttlSeconds, expiresAt);
        latest.set(key as string, write.value);
      });
      const requests = [...latest].map(([key, value]) => putRequest(this.requests.target.format, key, value, expiresAt));
      await this.writeMany('set_many', requests, options.signal);
    });
  }

  deleteMany(keys: Iterable<string>, options: KvCallOptions = {}): Promise<void> {
    return this.batchCall('delete_many', keys, async (list) => {
      list.forEach((key, entry) => this.input.key(key, { operation: 'delete_many', entry }));
      const requests = [...new Set(list)].map((key) => deleteRequest(this.requests.target.format, key));
      await this.writeMany('delete_many', requests, options.signal);
    });
  }

  async *listKeys(options: KvListOptions = {}): AsyncGenerator<string[]> {
    const { prefix = '', signal } = options;
    this.input.prefix(prefix, { operation: 'list_keys' });
    const consistentRead = options.consistentRead ?? this.settings.consistentRead;
    let start: StoredItem | undefined;
    do {
      const page = await this.call('list_keys', undefined, () =>
        this.requests.scanKeys('list_keys', prefix, consistentRead, start, signal),
      );
      start = page.next;
      // A filtered Scan page can hold no match and still not be the last.
      if (page.keys.length > 0) yield page.keys;
    } while (start !== undefined);
  }

  assertHealthy(options: KvHealthCheckOptions = {}): Promise<KvHealthDetails> {
    return this.health.assertHealthy(options);
  }

  /** The start-up check: the health check once, neither logged as an operation nor cached. */
  checkAtStartup(): Promise<KvHealthDetails> {
    return this.health.checkOnce();
  }

  async healthCheck(options: KvHealthCheckOptions = {}): Promise<KvHealth> {
    try {
      return { status: 'UP', details: await this.assertHealthy(options) };
    } catch (error) {
      const tableStatus = error instanceof TableNotActiveError ? error.tableStatus : undefined;
      // assertHealthy only rejects with KvStoreErrors, whose messages say why.
      const reason = (error as KvStoreError).message;
      return { status: 'DOWN', details: { table: this.table, region: this.region, tableStatus, error: reason } };
    }
  }

  /**
   * Refuses new calls (`KvStoreClosedError`) and lets the pending ones end (each within its budget, so
   * this takes at most about `timeoutMs`; batch calls are cut there), then closes.
   */
  async onApplicationShutdown(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.gate.close(), new Promise((resolve) => (timer = setTimeout(resolve, this.settings.timeoutMs)))]);
    clearTimeout(timer);
    this.close();
  }

  /** Refuses new calls with `KvStoreClosedError` and destroys the client if the store built it; later calls of close do nothing. */
  close(): void {
    void this.gate.close();
    if (this.clientClosed || !this.connection.client.owned) return;
    this.clientClosed = true;
    try {
      this.connection.client.client.destroy();
      this.logger.log(`Closed the DynamoDB client of store '${this.name}' (table '${this.table}').`);
    } catch (error) {
      // Shutdown goes on for the rest of the app; a client that fails to close is only worth a log line.
      this.logger.error(`Closing the DynamoDB client of store '${this.name}' failed: ${describeFailure(error)}`);
    }
  }

  private async read(operation: 'get' | 'get_json', key: string, options: KvReadOptions): Promise<string> {
    this.input.key(key, { operation });
    const consistentRead = options.consistentRead ?? this.settings.consistentRead;
    const found = this.coalescers
      ? await this.coalescers.reads.read(key, consistentRead, options.signal)
      : await this.requests.getItem(operation, key, consistentRead, { signal: options.signal });
    if (found.state !== 'value') throw new KeyNotFoundError(key, this.table, found.state === 'expired', operation);
    return found.value;
  }

  private async write(operation: 'set' | 'set_json', key: string, value: string, options: KvWriteOptions): Promise<void> {
    const write = this.input.write({ operation }, key, value, options.ttlSeconds);
    if (this.coalescers) await this.coalescers.writes.write(operation, { kind: 'put', key, ...write }, options.signal);
    else await this.requests.putItem(operation, key, write.value, write.expiresAt, { signal: options.signal });
  }

  /** A conditional write: in its key's turn behind the writes called before it when batching, else at once. */
  private conditionalWrite(
    operation: 'set_if_absent' | 'compare_and_swap',
    key: string,
    signal: AbortSignal | undefined,
    command: (token: string, nowMs: number) => PutItemCommand,
  ): Promise<boolean> {
    return this.inKeyTurn(operation, key, signal, (window) => this.requests.conditionalPut(operation, key, command, window));
  }

  /**
   * A write that leaves alone: in its key's turn behind the writes called before it when batching, else at
   * once; either way within one deadline from now, however many requests it takes.
   */
  private async inKeyTurn<T>(operation: KvOperation, key: string, signal: AbortSignal | undefined, send: (window: RequestWindow) => Promise<T>): Promise<T> {
    if (this.coalescers === undefined) return send({ signal, deadline: performance.now() + this.settings.timeoutMs });
    let result: T | undefined;
    await this.coalescers.writes.write(operation, { kind: 'conditional', key, send: async (window) => ((result = await send(window)), true) }, signal);
    return result as T;
  }

  /** A batch call: its argument read once into a list (or refused), then observed and admitted like any call. */
  private batchCall<E, T>(operation: BatchOperation, input: Iterable<E>, run: (list: E[]) => Promise<T>): Promise<T> {
    let list: E[] = [];
    let refusal: unknown;
    try {
      list = batchList(input, { operation, table: this.table });
    } catch (error) {
      refusal = error;
    }
    return this.call(operation, { keyCount: list.length }, () => (refusal === undefined ? run(list) : Promise.reject(refusal)));
  }

  /** Every public call: observed (span, histogram, log), and admitted by the gate. */
  private call<T>(operation: KvOperation, keys: ObservedKeys, run: () => Promise<T>): Promise<T> {
    return this.observer.observe(operation, keys, () => this.gate.run({ operation }, run));
  }

  private writeMany(operation: 'set_many' | 'delete_many', requests: WriteRequest[], signal: AbortSignal | undefined): Promise<void> {
    return writeMany(this.requests, this.settings.batchRetry, { operation, requests, signal, onRetry: () => this.observer.batchRetried(operation) });
  }
}
