import {
  DeleteItemCommand,
  DescribeTableCommand,
  GetItemCommand,
  PutItemCommand,
  ResourceNotFoundException,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { Logger } from '@nestjs/common';
import type { DynamoKvSettings } from './dynamo-kv.options.js';
import { assertItemFits, assertValidKey, assertValidValue } from './kv-input.validation.js';
import { KeyNotFoundError, KvStoreError, TableNotFoundError } from './kv-store.errors.js';
import type { KvHealth, KvHealthCheckOptions, KvOperation, KVStore } from './kv-store.interface.js';

export interface DynamoKvStoreConfig extends DynamoKvSettings {
  client: DynamoDBClient;
  /** The resolved AWS region, reported by health checks and errors. */
  region: string;
  /** Store name, as registered with the module. */
  name: string;
  /** Whether {@link DynamoKvStore.close} destroys the client (false for a client the app passed in). */
  ownsClient: boolean;
}

/** {@link KVStore} over one DynamoDB table: string partition key, string value attribute. */
export class DynamoKvStore implements KVStore {
  private readonly logger = new Logger(DynamoKvStore.name);

  constructor(private readonly config: DynamoKvStoreConfig) {}

  get name(): string {
    return this.config.name;
  }

  get table(): string {
    return this.config.table;
  }

  get region(): string {
    return this.config.region;
  }

  async get(key: string): Promise<string> {
    const { table, partitionKeyName, valueAttributeName, consistentRead } = this.config;
    assertValidKey(key, 'get', table);
    const output = await this.send('get', () =>
      this.config.client.send(
        new GetItemCommand({ TableName: table, Key: { [partitionKeyName]: { S: key } }, ConsistentRead: consistentRead }),
      ),
    );
    const value = output.Item?.[valueAttributeName]?.S;
    if (value === undefined) throw new KeyNotFoundError(key, table);
    return value;
  }

  async set(key: string, value: string): Promise<void> {
    const { table, partitionKeyName, valueAttributeName } = this.config;
    assertValidKey(key, 'set', table);
    assertValidValue(value, table);
    assertItemFits(this.config, key, value, table);
    await this.send('set', () =>
      this.config.client.send(
        new PutItemCommand({ TableName: table, Item: { [partitionKeyName]: { S: key }, [valueAttributeName]: { S: value } } }),
      ),
    );
  }

  async delete(key: string): Promise<void> {
    const { table, partitionKeyName } = this.config;
    assertValidKey(key, 'delete', table);
    await this.send('delete', () =>
      this.config.client.send(new DeleteItemCommand({ TableName: table, Key: { [partitionKeyName]: { S: key } } })),
    );
  }

  /** Describes the table: UP only when it is ACTIVE. Never throws. */
  async healthCheck(options: KvHealthCheckOptions = {}): Promise<KvHealth> {
    const { table, region } = this.config;
    try {
      const output = await this.send('health_check', () =>
        this.config.client.send(new DescribeTableCommand({ TableName: table }), { abortSignal: options.signal }),
      );
      const tableStatus = output.Table?.TableStatus ?? 'UNKNOWN';
      if (tableStatus === 'ACTIVE') return { status: 'UP', details: { table, region, tableStatus } };
      return {
        status: 'DOWN',
        details: { table, region, tableStatus, error: `Table '${table}' is ${tableStatus}, not ACTIVE.` },
      };
    } catch (error) {
      // send() has already turned the failure into a KvStoreError whose message says why.
      return { status: 'DOWN', details: { table, region, error: (error as KvStoreError).message } };
    }
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
