import { DeleteItemCommand, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { ItemFormat } from './item-format.js';

/** The table a request goes to, and how its items are laid out. */
export interface TableTarget {
  table: string;
  format: ItemFormat;
}

export function getItemCommand({ table, format }: TableTarget, key: string, consistentRead: boolean): GetItemCommand {
  return new GetItemCommand({ TableName: table, Key: format.key(key), ConsistentRead: consistentRead, ReturnConsumedCapacity: 'TOTAL' });
}

export function putItemCommand({ table, format }: TableTarget, key: string, value: string, expiresAt: number | undefined): PutItemCommand {
  return new PutItemCommand({ TableName: table, Item: format.item(key, value, expiresAt), ReturnConsumedCapacity: 'TOTAL' });
}

export function deleteItemCommand({ table, format }: TableTarget, key: string): DeleteItemCommand {
  return new DeleteItemCommand({ TableName: table, Key: format.key(key), ReturnConsumedCapacity: 'TOTAL' });
}
