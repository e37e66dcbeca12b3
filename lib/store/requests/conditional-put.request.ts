import { ConditionalCheckFailedException, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { TableTarget } from './item.request.js';

/** `:now` is epoch seconds; an expiry at or before it has passed (as reads decide it). */
const EXPIRED = 'attribute_type(#expiry, :number) AND #expiry <= :now';

/** No value a read would return: no item, no string value attribute, or an expiry that has passed. */
const ABSENT = `attribute_not_exists(#key) OR NOT attribute_type(#value, :string) OR (${EXPIRED})`;

/** The value a read would return equals `:expected`. */
const CURRENT_EQUALS = `#value = :expected AND NOT (${EXPIRED})`;

/** PutItem that writes only when the key has no value, or an expired one. */
export function putIfAbsentCommand(target: TableTarget, key: string, value: string, expiresAt: number | undefined, nowMs: number): PutItemCommand {
  const { table, format } = target;
  return new PutItemCommand({
    TableName: table,
    Item: format.item(key, value, expiresAt),
    ConditionExpression: ABSENT,
    ExpressionAttributeNames: { '#key': format.partitionKeyName, '#value': format.valueAttributeName, '#expiry': format.expiryAttributeName },
    ExpressionAttributeValues: { ':string': { S: 'S' }, ':number': { S: 'N' }, ':now': nowValue(nowMs) },
    ReturnConsumedCapacity: 'TOTAL',
  });
}

/** PutItem that writes only while the stored, unexpired value equals `expected`. */
export function compareAndSwapCommand(
  target: TableTarget,
  key: string,
  expected: string,
  next: string,
  expiresAt: number | undefined,
  nowMs: number,
): PutItemCommand {
  const { table, format } = target;
  return new PutItemCommand({
    TableName: table,
    Item: format.item(key, next, expiresAt),
    ConditionExpression: CURRENT_EQUALS,
    ExpressionAttributeNames: { '#value': format.valueAttributeName, '#expiry': format.expiryAttributeName },
    ExpressionAttributeValues: { ':expected': { S: expected }, ':number': { S: 'N' }, ':now': nowValue(nowMs) },
    ReturnConsumedCapacity: 'TOTAL',
  });
}

/** The condition did not hold: an answer (false), not a failure. */
export function isConditionFailed(error: unknown): boolean {
  return error instanceof ConditionalCheckFailedException;
}

function nowValue(nowMs: number): { N: string } {
  return { N: String(Math.floor(nowMs / 1000)) };
}
