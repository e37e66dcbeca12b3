import { BatchWriteItemCommand, type BatchWriteItemCommandOutput, type WriteRequest } from '@aws-sdk/client-dynamodb';
import type { ItemFormat } from './item-format.js';
import type { TableTarget } from './item.request.js';

/** DynamoDB's limit of puts and deletes per BatchWriteItem. */
export const BATCH_WRITE_LIMIT = 25;

export type { WriteRequest };

export function putRequest(format: ItemFormat, key: string, value: string, expiresAt: number | undefined): WriteRequest {
  return { PutRequest: { Item: format.item(key, value, expiresAt) } };
}

export function deleteRequest(format: ItemFormat, key: string): WriteRequest {
  return { DeleteRequest: { Key: format.key(key) } };
}

export function batchWriteCommand({ table }: TableTarget, requests: WriteRequest[]): BatchWriteItemCommand {
  return new BatchWriteItemCommand({ RequestItems: { [table]: requests }, ReturnConsumedCapacity: 'TOTAL' });
}

/** The writes DynamoDB left unprocessed. */
export function unprocessedWrites({ table }: TableTarget, output: BatchWriteItemCommandOutput): WriteRequest[] {
  return output.UnprocessedItems?.[table] ?? [];
}

/** The caller's key a write is for. */
export function keyOfWrite(format: ItemFormat, request: WriteRequest): string {
  const item = request.PutRequest?.Item ?? request.DeleteRequest?.Key ?? {};
  return format.callerKey(item) ?? '';
}
