import { BatchGetItemCommand, type BatchGetItemCommandOutput } from '@aws-sdk/client-dynamodb';
import type { StoredItem } from './item-format.js';
import type { TableTarget } from './item.request.js';

/** DynamoDB's limit of keys per BatchGetItem. */
export const BATCH_GET_LIMIT = 100;

export function batchGetCommand({ table, format }: TableTarget, keys: string[], consistentRead: boolean): BatchGetItemCommand {
  return new BatchGetItemCommand({
    RequestItems: { [table]: { Keys: keys.map((key) => format.key(key)), ConsistentRead: consistentRead } },
    ReturnConsumedCapacity: 'TOTAL',
  });
}

/** The items that came back, and the caller's keys DynamoDB left unprocessed. */
export function readBatchGet({ table, format }: TableTarget, output: BatchGetItemCommandOutput): { items: StoredItem[]; unprocessed: string[] } {
  const items = output.Responses?.[table] ?? [];
  const unprocessedKeys = output.UnprocessedKeys?.[table]?.Keys ?? [];
  const unprocessed = unprocessedKeys.map((key) => format.callerKey(key)).filter((key) => key !== undefined);
  return { items, unprocessed };
}
