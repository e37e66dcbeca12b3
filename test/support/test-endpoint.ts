import {
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { randomBytes } from 'node:crypto';

/** Any credentials do for dynalite and DynamoDB Local; the SDK only needs some to sign with. */
export const TEST_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };
export const TEST_REGION = 'us-east-1';

/** The server this Jest worker talks to: DYNAMODB_ENDPOINT, else this worker's dynalite. */
export function testEndpoint(): string {
  if (process.env.DYNAMODB_ENDPOINT) return process.env.DYNAMODB_ENDPOINT;
  const endpoints = (process.env.KV_TEST_ENDPOINTS ?? '').split(',').filter(Boolean);
  if (endpoints.length === 0) throw new Error('No test server: run the tests through jest (globalSetup starts them).');
  const worker = Number(process.env.JEST_WORKER_ID ?? '1');
  return endpoints[(worker - 1) % endpoints.length]!;
}

export function testClient(endpoint = testEndpoint()): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS });
}

export function uniqueTableName(prefix = 'kv'): string {
  return `${prefix}-${randomBytes(6).toString('hex')}`;
}

export interface TestTable {
  name: string;
  client: DynamoDBClient;
  drop(): Promise<void>;
}

/** CreateTable for a store table: on-demand, string partition key. */
export function createTableCommand(name: string, partitionKeyName = 'pk'): CreateTableCommand {
  return new CreateTableCommand({
    TableName: name,
    AttributeDefinitions: [{ AttributeName: partitionKeyName, AttributeType: 'S' }],
    KeySchema: [{ AttributeName: partitionKeyName, KeyType: 'HASH' }],
    BillingMode: 'PAY_PER_REQUEST',
  });
}

/** Creates a table on a server of the test's own, with a client that is gone when this resolves. */
export async function createTableAt(endpoint: string, name: string): Promise<void> {
  const client = testClient(endpoint);
  try {
    await client.send(createTableCommand(name));
  } finally {
    client.destroy();
  }
}

/** Creates a fresh on-demand table with a string partition key and waits until it is ACTIVE. */
export async function createTestTable(options: { partitionKeyName?: string; prefix?: string } = {}): Promise<TestTable> {
  const client = testClient();
  const name = uniqueTableName(options.prefix);
  await client.send(createTableCommand(name, options.partitionKeyName));
  await waitUntilTableExists({ client, maxWaitTime: 30, minDelay: 1 }, { TableName: name });
  return {
    name,
    client,
    /** Deletes the table (dropping it again does nothing) and releases the client. */
    drop: async () => {
      try {
        await client.send(new DeleteTableCommand({ TableName: name }));
      } catch (error) {
        if (!(error instanceof ResourceNotFoundException)) throw error;
      } finally {
        client.destroy();
      }
    },
  };
}
