import type { StoreClient } from '../client/store-client.js';
import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import { InvalidJsonError, KeyNotFoundError, TableNotActiveError, type KvStoreError } from '../contract/kv-store.errors.js';
import type {
  KvCallOptions,
  KvHealth,
  KvHealthCheckOptions,
  KvHealthDetails,
  KvListOptions,
  KvReadOptions,
  KVStore,
  KvWriteOptions,
} from '../contract/kv-store.interface.js';
import { jsonOf } from '../input/json-value.js';
import { InputRules } from '../input/input-rules.js';
import type { OperationObserver } from '../observability/operation-observer.js';
import type { DynamoKvSettings } from '../options/dynamo-kv.settings.js';
import { readMany } from './batch-reads.js';
import { ReadCoalescer } from './batching/read-coalescer.js';
import { WriteCoalescer } from './batching/write-coalescer.js';
import { writeMany } from './batch-writes.js';
import { deleteRequest, putRequest, type WriteRequest } from './requests/batch-write.request.js';
import { compareAndSwapCommand, putIfAbsentCommand } from './requests/conditional-put.request.js';
import { ItemFormat, type StoredItem } from './requests/item-format.js';
import { RequestSender } from './request-sender.js';
import { describeFailure } from './sdk-errors.js';
import { TableHealth } from './table-health.js';
import { TableRequests } from './table-requests.js';

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
  private closed = false;

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
    if (settings.batching.enabled) {
      const coalescing = {
        maxInFlight: settings.batching.maxInFlight,
        batchRetry: settings.batchRetry,
        onRetry: (operation: 'get' | 'set' | 'delete') => observer.batchRetried(operation),
        logger: this.logger,
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
    return this.observer.observe('get', { key }, () => this.read('get', key, options));
  }

  getJson<T = unknown>(key: string, options: KvReadOptions = {}): Promise<T> {
    return this.observer.observe('get_json', { key }, async () => {
      const value = await this.read('get_json', key, options);
      try {
        return JSON.parse(value) as T;
      } catch (error) {
        throw new InvalidJsonError(key, this.table, error);
      }
    });
  }

  set(key: string, value: string, options: KvWriteOptions = {}): Promise<void> {
    return this.observer.observe('set', { key }, () => this.write('set', key, value, options));
  }

  setJson(key: string, value: unknown, options: KvWriteOptions = {}): Promise<void> {
    return this.observer.observe('set_json', { key }, () =>
      this.write('set_json', key, jsonOf(value, { operation: 'set_json', table: this.table }), options),
    );
  }

  delete(key: string, options: KvCallOptions = {}): Promise<void> {
    return this.observer.observe('delete', { key }, async () => {
      this.input.key(key, { operation: 'delete' });
      if (this.coalescers) await this.coalescers.writes.write({ operation: 'delete', key }, options.signal);
      else await this.requests.deleteItem('delete', key, options.signal);
    });
  }

  setIfAbsent(key: string, value: string, options: KvWriteOptions = {}): Promise<boolean> {
    return this.observer.observe('set_if_absent', { key }, () => {
      const write = this.input.write({ operation: 'set_if_absent' }, key, value, options.ttlSeconds);
      return this.requests.conditionalPut(
        'set_if_absent',
        (nowMs) => putIfAbsentCommand(this.requests.target, key, write.value, write.expiresAt, nowMs),
        options.signal,
      );
    });
  }

  compareAndSwap(key: string, expected: string, next: string, options: KvWriteOptions = {}): Promise<boolean> {
    return this.observer.observe('compare_and_swap', { key }, () => {
      const place = { operation: 'compare_and_swap' } as const;
      this.input.value(expected, place);
      const write = this.input.write(place, key, next, options.ttlSeconds);
      return this.requests.conditionalPut(
        'compare_and_swap',
        (nowMs) => compareAndSwapCommand(this.requests.target, key, expected, write.value, write.expiresAt, nowMs),
        options.signal,
      );
    });
  }

  getMany(keys: Iterable<string>, options: KvReadOptions = {}): Promise<Map<string, string>> {
    const list = [...keys];
    return this.observer.observe('get_many', { keyCount: list.length }, () => {
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
    const list = [...entries];
    return this.observer.observe('set_many', { keyCount: list.length }, async () => {
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
    const list = [...keys];
    return this.observer.observe('delete_many', { keyCount: list.length }, async () => {
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
      const page = await this.observer.observe('list_keys', undefined, () =>
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

  /** Lets the calls still queued for a batch finish (bounded by the call budget), then closes. */
  async onApplicationShutdown(): Promise<void> {
    if (this.coalescers) {
      const drained = Promise.all([this.coalescers.reads.drained(), this.coalescers.writes.drained()]);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([drained, new Promise((resolve) => (timer = setTimeout(resolve, this.settings.timeoutMs)))]);
      clearTimeout(timer);
    }
    this.close();
  }

  /** Destroys the client if the store built it; later calls do nothing. */
  close(): void {
    if (this.closed || !this.connection.client.owned) return;
    this.closed = true;
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
      : await this.requests.getItem(operation, key, consistentRead, options.signal);
    if (found.state !== 'value') throw new KeyNotFoundError(key, this.table, found.state === 'expired', operation);
    return found.value;
  }

  private async write(operation: 'set' | 'set_json', key: string, value: string, options: KvWriteOptions): Promise<void> {
    const write = this.input.write({ operation }, key, value, options.ttlSeconds);
    if (this.coalescers) await this.coalescers.writes.write({ operation: 'set', key, ...write }, options.signal);
    else await this.requests.putItem(operation, key, write.value, write.expiresAt, options.signal);
  }

  private writeMany(operation: 'set_many' | 'delete_many', requests: WriteRequest[], signal: AbortSignal | undefined): Promise<void> {
    return writeMany(this.requests, this.settings.batchRetry, { operation, requests, signal, onRetry: () => this.observer.batchRetried(operation) });
  }
}
