import { ScanCommand, type ScanCommandOutput } from '@aws-sdk/client-dynamodb';
import type { StoredItem } from './item-format.js';
import type { TableTarget } from './item.request.js';

/** One Scan page of a key listing: the unexpired caller keys, and where the next page starts (none at the end). */
export interface KeyPage {
  keys: string[];
  next?: StoredItem;
}

/**
 * A Scan for the keys that start with the store's key prefix plus `prefix`. Only the key and the expiry
 * come back; the filter saves bandwidth, not capacity (DynamoDB bills every item a Scan reads).
 */
export function scanKeysCommand({ table, format }: TableTarget, prefix: string, consistentRead: boolean, start?: StoredItem): ScanCommand {
  const storedPrefix = format.storedKey(prefix);
  return new ScanCommand({
    TableName: table,
    ProjectionExpression: '#key, #expiry',
    ...(storedPrefix === '' ? {} : { FilterExpression: 'begins_with(#key, :prefix)', ExpressionAttributeValues: { ':prefix': { S: storedPrefix } } }),
    ExpressionAttributeNames: { '#key': format.partitionKeyName, '#expiry': format.expiryAttributeName },
    ConsistentRead: consistentRead,
    ExclusiveStartKey: start,
    ReturnConsumedCapacity: 'TOTAL',
  });
}

export function readKeyPage({ format }: TableTarget, output: ScanCommandOutput, nowMs: number): KeyPage {
  const keys: string[] = [];
  for (const item of output.Items ?? []) {
    const key = format.callerKey(item);
    if (key !== undefined && !format.expired(item, nowMs)) keys.push(key);
  }
  return { keys, next: output.LastEvaluatedKey };
}
