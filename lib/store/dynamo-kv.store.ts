import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import { InvalidJsonError, KeyNotFoundError, TableNotActiveError, type KvStoreError } from '../contract/kv-store.errors.js';
import type {
  KvCallOptions,
  KvHealth,
  KvHealthCheckOptions,
  KvHealthDetails,
  KvReadOptions,
  KVStore,
  KvWriteOptions,
} from '../contract/kv-store.interface.js';
import { jsonOf } from '../input/json-value.js';
import { InputRules } from '../input/input-rules.js';
import type { OperationObserver } from '../observability/operation-observer.js';
import type { DynamoKvSettings } from '../options/dynamo-kv.settings.js';
import { readMany } from './batch-reads.js';
import { writeMany } from './batch-writes.js';
import { deleteRequest, putRequest } from './requests/batch-write.request.js';
import { compareAndSwapCommand, isConditionFailed, putIfAbsentCommand } from './requests/conditional-put.request.js';
import { ItemFormat } from './requests/item-format.js';
import { deleteItemCommand, getItemCommand, putItemCommand, type TableTarget } from './requests/item.request.js';
import { RequestSender } from './request-sender.js';
import { describeFailure } from './sdk-errors.js';
import { TableHealth } from './table-health.js';

/** The store's client and the region it resolved at bootstrap. */
export interface StoreConnection {
  client: DynamoDBClient;
  region: string;
}

/**
 * {@link KVStore} over one DynamoDB table: string partition key, string value attribute, optional expiry.
 * It validates input before any request, lets the observer see each operation, and delegates the
 * requests. It owns its client's lifecycle: a client it built is destroyed once, on application shutdown.
 */
export class DynamoKvStore implements KVStore, OnApplicationShutdown {
  private readonly logger = new Logger(DynamoKvStore.name);
  private readonly target: TableTarget;
  private readonly input: InputRules;
  private readonly sender: RequestSender;
  private readonly health: TableHealth;
  private closed = false;

  constructor(
    private readonly settings: DynamoKvSettings,
    private readonly connection: StoreConnection,
    private readonly observer: OperationObserver,
  ) {
    this.target = { table: settings.table, format: new ItemFormat(settings) };
    this.input = new InputRules(this.target.format, settings.table, settings.ttl.defaultSeconds, Date.now);
    this.sender = new RequestSender({ ...connection, table: settings.table }, observer);
    this.health = new TableHealth(settings, connection.region, this.sender, observer);
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
      await this.sender.send({ operation: 'delete', signal: options.signal, capacity: 'write' }, (client, sendOptions) =>
        client.send(deleteItemCommand(this.target, key), sendOptions),
      );
    });
  }

  setIfAbsent(key: string, value: string, options: KvWriteOptions = {}): Promise<boolean> {
    return this.observer.observe('set_if_absent', { key }, () => {
      const write = this.input.write({ operation: 'set_if_absent' }, key, value, options.ttlSeconds);
      return this.conditionalPut('set_if_absent', options.signal, () =>
        putIfAbsentCommand(this.target, key, write.value, write.expiresAt, Date.now()),
      );
    });
  }

  compareAndSwap(key: string, expected: string, next: string, options: KvWriteOptions = {}): Promise<boolean> {
    return this.observer.observe('compare_and_swap', { key }, () => {
      const place = { operation: 'compare_and_swap' } as const;
      this.input.value(expected, place);
      const write = this.input.write(place, key, next, options.ttlSeconds);
      return this.conditionalPut('compare_and_swap', options.signal, () =>
        compareAndSwapCommand(this.target, key, expected, write.value, write.expiresAt, Date.now()),
      );
    });
  }

  getMany(keys: Iterable<string>, options: KvReadOptions = {}): Promise<Map<string, string>> {
    const list = [...keys];
    return this.observer.observe('get_many', { keyCount: list.length }, () => {
      list.forEach((key, entry) => this.input.key(key, { operation: 'get_many', entry }));
      return readMany(this.sender, this.target, this.observer, this.settings.batchRetry, {
        keys: [...new Set(list)],
        consistentRead: options.consistentRead ?? this.settings.consistentRead,
        signal: options.signal,
        now: Date.now,
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
      const requests = [...latest].map(([key, value]) => putRequest(this.target.format, key, value, expiresAt));
      await writeMany(this.sender, this.target, this.observer, this.settings.batchRetry, { operation: 'set_many', requests, signal: options.signal });
    });
  }

  deleteMany(keys: Iterable<string>, options: KvCallOptions = {}): Promise<void> {
    const list = [...keys];
    return this.observer.observe('delete_many', { keyCount: list.length }, async () => {
      list.forEach((key, entry) => this.input.key(key, { operation: 'delete_many', entry }));
      const requests = [...new Set(list)].map((key) => deleteRequest(this.target.format, key));
      await writeMany(this.sender, this.target, this.observer, this.settings.batchRetry, { operation: 'delete_many', requests, signal: options.signal });
    });
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

  onApplicationShutdown(): void {
    this.close();
  }

  /** Destroys the client if the store built it; later calls do nothing. */
  close(): void {
    if (this.closed || !this.settings.client.owned) return;
    this.closed = true;
    try {
      this.connection.client.destroy();
      this.logger.log(`Closed the DynamoDB client of store '${this.name}' (table '${this.table}').`);
    } catch (error) {
      // Shutdown goes on for the rest of the app; a client that fails to close is only worth a log line.
      this.logger.error(`Closing the DynamoDB client of store '${this.name}' failed: ${describeFailure(error)}`);
    }
  }

  private async read(operation: 'get' | 'get_json', key: string, options: KvReadOptions): Promise<string> {
    this.input.key(key, { operation });
    const consistentRead = options.consistentRead ?? this.settings.consistentRead;
    const output = await this.sender.send({ operation, signal: options.signal, capacity: 'read' }, (client, sendOptions) =>
      client.send(getItemCommand(this.target, key, consistentRead), sendOptions),
    );
    const found = this.target.format.read(output.Item, Date.now());
    if (found.state !== 'value') throw new KeyNotFoundError(key, this.table, found.state === 'expired', operation);
    return found.value;
  }

  private async write(operation: 'set' | 'set_json', key: string, value: string, options: KvWriteOptions): Promise<void> {
    const write = this.input.write({ operation }, key, value, options.ttlSeconds);
    await this.sender.send({ operation, signal: options.signal, capacity: 'write' }, (client, sendOptions) =>
      client.send(putItemCommand(this.target, key, write.value, write.expiresAt), sendOptions),
    );
  }

  private async conditionalPut(operation: 'set_if_absent' | 'compare_and_swap', signal: AbortSignal | undefined, command: () => ReturnType<typeof putIfAbsentCommand>): Promise<boolean> {
    try {
      await this.sender.send({ operation, signal, capacity: 'write' }, (client, sendOptions) => client.send(command(), sendOptions));
      return true;
    } catch (error) {
      if (isConditionFailed((error as KvStoreError).cause)) return false;
      throw error;
    }
  }
}
