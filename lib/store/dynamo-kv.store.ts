import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import { KeyNotFoundError, TableNotActiveError, type KvStoreError } from '../contract/kv-store.errors.js';
import type { KvHealth, KvHealthCheckOptions, KvHealthDetails, KvOperation, KVStore } from '../contract/kv-store.interface.js';
import { HealthCheckCache } from '../health/health-check.cache.js';
import type { OperationObserver } from '../observability/operation-observer.js';
import type { DynamoKvSettings } from '../options/dynamo-kv.settings.js';
import { abortable } from './abortable.js';
import { assertItemFits, assertValidKey, assertValidValue } from './input/kv-input.validation.js';
import { activeTableStatus, describeTableCommand } from './requests/describe-table.request.js';
import { deleteItemCommand, getItemCommand, putItemCommand, storedValue } from './requests/item.request.js';
import { describeFailure, toKvStoreError } from './sdk-errors.js';

/** The store's client and the region it resolved at bootstrap. */
export interface StoreConnection {
  client: DynamoDBClient;
  region: string;
}

/**
 * {@link KVStore} over one DynamoDB table: string partition key, string value attribute. It validates
 * input, lets the observer see each operation, and delegates the request to `requests/`. It owns its
 * client's lifecycle: a client it built is destroyed once, on application shutdown.
 */
export class DynamoKvStore implements KVStore, OnApplicationShutdown {
  private readonly logger = new Logger(DynamoKvStore.name);
  private readonly healthCache: HealthCheckCache<KvHealthDetails>;
  private closed = false;

  constructor(
    private readonly settings: DynamoKvSettings,
    private readonly connection: StoreConnection,
    private readonly observer: OperationObserver,
  ) {
    this.healthCache = new HealthCheckCache(settings.healthCheck.cacheTtlMs);
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

  get(key: string): Promise<string> {
    return this.observer.observe('get', { key }, async () => {
      assertValidKey(key, 'get', this.table);
      const output = await this.send('get', () => this.connection.client.send(getItemCommand(this.settings, key)));
      const value = storedValue(this.settings, output);
      if (value === undefined) throw new KeyNotFoundError(key, this.table);
      return value;
    });
  }

  set(key: string, value: string): Promise<void> {
    return this.observer.observe('set', { key }, async () => {
      assertValidKey(key, 'set', this.table);
      assertValidValue(value, this.table);
      assertItemFits(this.settings, key, value, this.table);
      await this.send('set', () => this.connection.client.send(putItemCommand(this.settings, key, value)));
    });
  }

  delete(key: string): Promise<void> {
    return this.observer.observe('delete', { key }, async () => {
      assertValidKey(key, 'delete', this.table);
      await this.send('delete', () => this.connection.client.send(deleteItemCommand(this.settings, key)));
    });
  }

  /**
   * Describes the table: resolves when it is ACTIVE, rejects with the reason otherwise. Results, either
   * way, are cached per store for `healthCheck.cacheTtlMs`; `signal` stops this caller's wait, not the
   * shared check.
   */
  assertHealthy(options: KvHealthCheckOptions = {}): Promise<KvHealthDetails> {
    const shared = this.healthCache.get(() => this.observer.observe('health_check', undefined, () => this.describeActiveTable()));
    return abortable(shared, options.signal, { operation: 'health_check', table: this.table });
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

  private async describeActiveTable(): Promise<KvHealthDetails> {
    const { timeoutMs } = this.settings.healthCheck;
    const timeout = AbortSignal.timeout(timeoutMs);
    const output = await this.send('health_check', async () => {
      try {
        return await this.connection.client.send(describeTableCommand(this.table), { abortSignal: timeout });
      } catch (error) {
        if (!timeout.aborted) throw error;
        throw new Error(`DescribeTable did not answer within ${timeoutMs} ms`, { cause: error });
      }
    });
    return { table: this.table, region: this.region, tableStatus: activeTableStatus(this.table, output) };
  }

  private async send<T>(operation: KvOperation, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw toKvStoreError(error, { operation, table: this.table, region: this.region });
    }
  }
}
