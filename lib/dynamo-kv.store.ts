import {
  DeleteItemCommand,
  DescribeTableCommand,
  GetItemCommand,
  PutItemCommand,
  ResourceNotFoundException,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { Logger } from '@nestjs/common';
import type { Histogram } from 'prom-client';
import type { DynamoKvSettings } from './dynamo-kv.options.js';
import { OperationObserver } from './dynamo-kv.observer.js';
import { HealthCheckCache } from './health/health-check.cache.js';
import { assertItemFits, assertValidKey, assertValidValue } from './kv-input.validation.js';
import { KeyNotFoundError, KvStoreError, TableNotActiveError, TableNotFoundError } from './kv-store.errors.js';
import type { KvHealth, KvHealthCheckOptions, KvOperation, KVStore } from './kv-store.interface.js';
import type { OperationLabel } from './metrics/operation-duration.metric.js';

export interface DynamoKvStoreConfig extends DynamoKvSettings {
  client: DynamoDBClient;
  /** The resolved AWS region, reported by health checks and errors. */
  region: string;
  /** Store name, as registered with the module. */
  name: string;
  /** Whether {@link DynamoKvStore.close} destroys the client (false for a client the app passed in). */
  ownsClient: boolean;
  /** Where operation durations are observed; none when metrics are disabled. */
  histogram?: Histogram<OperationLabel>;
}

/** {@link KVStore} over one DynamoDB table: string partition key, string value attribute. */
export class DynamoKvStore implements KVStore {
  private readonly logger = new Logger(DynamoKvStore.name);
  private readonly observer: OperationObserver;
  private readonly healthCache: HealthCheckCache;

  constructor(private readonly config: DynamoKvStoreConfig) {
    this.observer = new OperationObserver(config, config.histogram);
    this.healthCache = new HealthCheckCache(config.healthCheck.cacheTtlMs);
  }

  get name(): string {
    return this.config.name;
  }

  get table(): string {
    return this.config.table;
  }

  get region(): string {
    return this.config.region;
  }

  get(key: string): Promise<string> {
    return this.observer.observe('get', key, async () => {
      const { table, partitionKeyName, valueAttributeName, consistentRead } = this.config;
      assertValidKey(key, 'get', table);
      const command = new GetItemCommand({
        TableName: table,
        Key: { [partitionKeyName]: { S: key } },
        ConsistentRead: consistentRead,
      });
      const output = await this.send('get', () => this.config.client.send(command));
      const value = output.Item?.[valueAttributeName]?.S;
      if (value === undefined) throw new KeyNotFoundError(key, table);
      return value;
    });
  }

  set(key: string, value: string): Promise<void> {
    return this.observer.observe('set', key, async () => {
      const { table, partitionKeyName, valueAttributeName } = this.config;
      assertValidKey(key, 'set', table);
      assertValidValue(value, table);
      assertItemFits(this.config, key, value, table);
      const command = new PutItemCommand({
        TableName: table,
        Item: { [partitionKeyName]: { S: key }, [valueAttributeName]: { S: value } },
      });
      await this.send('set', () => this.config.client.send(command));
    });
  }

  delete(key: string): Promise<void> {
    return this.observer.observe('delete', key, async () => {
      const { table, partitionKeyName } = this.config;
      assertValidKey(key, 'delete', table);
      const command = new DeleteItemCommand({ TableName: table, Key: { [partitionKeyName]: { S: key } } });
      await this.send('delete', () => this.config.client.send(command));
    });
  }

  /**
   * Describes the table: UP only when it is ACTIVE. Never throws. Results are cached per store for
   * `healthCheck.cacheTtlMs`; `signal` stops this caller's wait, not the shared check.
   */
  healthCheck(options: KvHealthCheckOptions = {}): Promise<KvHealth> {
    const shared = this.healthCache.get(() => this.checkHealth());
    const { signal } = options;
    if (!signal) return shared;
    return Promise.race([shared, this.downWhenAborted(signal)]);
  }

  /** Destroys the client if the store created it. Called by the module on application shutdown. */
  close(): void {
    if (!this.config.ownsClient) return;
    try {
      this.config.client.destroy();
      this.logger.log(`Closed the DynamoDB client of store '${this.config.name}' (table '${this.config.table}').`);
    } catch (error) {
      // Shutdown goes on for the rest of the app; a client that fails to close is only worth a log line.
      this.logger.error(`Closing the DynamoDB client of store '${this.config.name}' failed: ${describeFailure(error)}`);
    }
  }

  private async checkHealth(): Promise<KvHealth> {
    const { table, region } = this.config;
    try {
      const tableStatus = await this.observer.observe('health_check', undefined, () => this.describeActiveTable());
      return { status: 'UP', details: { table, region, tableStatus } };
    } catch (error) {
      const tableStatus = error instanceof TableNotActiveError ? error.tableStatus : undefined;
      // describeActiveTable only throws KvStoreErrors, whose messages say why.
      return { status: 'DOWN', details: { table, region, tableStatus, error: (error as KvStoreError).message } };
    }
  }

  private async describeActiveTable(): Promise<string> {
    const { table, healthCheck } = this.config;
    const timeout = AbortSignal.timeout(healthCheck.timeoutMs);
    const output = await this.send('health_check', async () => {
      try {
        return await this.config.client.send(new DescribeTableCommand({ TableName: table }), { abortSignal: timeout });
      } catch (error) {
        if (!timeout.aborted) throw error;
        throw new Error(`DescribeTable did not answer within ${healthCheck.timeoutMs} ms`, { cause: error });
      }
    });
    const tableStatus = output.Table?.TableStatus ?? 'UNKNOWN';
    if (tableStatus !== 'ACTIVE') throw new TableNotActiveError(table, tableStatus);
    return tableStatus;
  }

  private downWhenAborted(signal: AbortSignal): Promise<KvHealth> {
    const { table, region } = this.config;
    const down = (): KvHealth => ({
      status: 'DOWN',
      details: { table, region, error: `Health check aborted: ${describeFailure(signal.reason)}` },
    });
    if (signal.aborted) return Promise.resolve(down());
    return new Promise((resolve) => signal.addEventListener('abort', () => resolve(down()), { once: true }));
  }

  private async send<T>(operation: KvOperation, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw this.wrap(operation, error);
    }
  }

  private wrap(operation: KvOperation, error: unknown): KvStoreError {
    const { table, region } = this.config;
    if (error instanceof ResourceNotFoundException) {
      return new TableNotFoundError(table, region, { operation, cause: error });
    }
    return new KvStoreError(`DynamoDB ${operation} on table '${table}' failed: ${describeFailure(error)}`, {
      operation,
      table,
      cause: error,
    });
  }
}

function describeFailure(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
