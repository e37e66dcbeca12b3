import { CreateTableCommand, UpdateTimeToLiveCommand, type TableDescription } from '@aws-sdk/client-dynamodb';

/** An on-demand table with the store's string partition key and nothing else. */
export function createTableCommand(table: string, partitionKeyName: string): CreateTableCommand {
  return new CreateTableCommand({
    TableName: table,
    AttributeDefinitions: [{ AttributeName: partitionKeyName, AttributeType: 'S' }],
    KeySchema: [{ AttributeName: partitionKeyName, KeyType: 'HASH' }],
    BillingMode: 'PAY_PER_REQUEST',
  });
}

export function enableTimeToLiveCommand(table: string, attributeName: string): UpdateTimeToLiveCommand {
  return new UpdateTimeToLiveCommand({ TableName: table, TimeToLiveSpecification: { Enabled: true, AttributeName: attributeName } });
}

/** The table's key schema as words (`id (HASH, S) + sort (RANGE, N)`), or undefined when it is the store's. */
export function keySchemaMismatch(table: TableDescription, partitionKeyName: string): string | undefined {
  const keys = table.KeySchema ?? [];
  const typeOf = (name: string | undefined) => table.AttributeDefinitions?.find((definition) => definition.AttributeName === name)?.AttributeType;
  const [only] = keys;
  if (keys.length === 1 && only?.KeyType === 'HASH' && only.AttributeName === partitionKeyName && typeOf(partitionKeyName) === 'S') {
    return undefined;
  }
  return keys.map((key) => `${key.AttributeName} (${key.KeyType}, ${typeOf(key.AttributeName)})`).join(' + ') || 'no key schema';
}

/** The server does not know the operation (dynalite answers UpdateTimeToLive with UnknownOperationException). */
export function isUnsupportedOperation(error: unknown): boolean {
  return error instanceof Error && error.name === 'UnknownOperationException';
}
