import { ConditionalCheckFailedException, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { randomBytes } from 'node:crypto';
import { COUNTER_ATTRIBUTE } from '../../input/kv-input.validation.js';
import type { ItemFormat, StoredItem } from './item-format.js';
import type { TableTarget } from './item.request.js';

/** `:now` is epoch seconds; an expiry at or before it has passed (as reads decide it). */
export const EXPIRED = 'attribute_type(#expiry, :number) AND #expiry <= :now';

/** No value a read would return: no item, neither a string value nor a count, or an expiry that has passed. */
const ABSENT = `attribute_not_exists(#key) OR (NOT attribute_type(#value, :string) AND NOT attribute_type(#count, :number)) OR (${EXPIRED})`;

/** The value a read would return equals `:expected`. */
const CURRENT_EQUALS = `#value = :expected AND NOT (${EXPIRED})`;

/** The same for an `expected` that a counter reads as (its decimal string): the counter holds that count. */
const CURRENT_EQUALS_OR_COUNT = `(#value = :expected OR #count = :expectedCount) AND NOT (${EXPIRED})`;

/** What a conditional write puts: the new value, and the write's own token (see {@link writeToken}). */
export interface ConditionalWrite {
  key: string;
  value: string;
  expiresAt: number | undefined;
  token: string;
}

/**
 * A token for one conditional write, stored with its item. When the SDK resent a write whose first answer
 * was lost and the resend fails its condition, the item DynamoDB returns (or a read of it) tells whether
 * the item is this write's own: comparing values could not, since another caller may write the same value.
 */
export function writeToken(): string {
  return randomBytes(12).toString('base64url');
}

/** PutItem that writes only when the key has no value, or an expired one. */
export function putIfAbsentCommand(target: TableTarget, write: ConditionalWrite, nowMs: number): PutItemCommand {
  const { table, format } = target;
  return putWhereAbsent(table, format, format.item(write.key, write.value, write.expiresAt, write.token), nowMs);
}

/** PutItem of `item` where no value a read would return is stored, with the old item back when it was. */
export function putWhereAbsent(table: string, format: ItemFormat, item: StoredItem, nowMs: number): PutItemCommand {
  return new PutItemCommand({
    TableName: table,
    Item: item,
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    ConditionExpression: ABSENT,
    ExpressionAttributeNames: {
      '#key': format.partitionKeyName,
      '#value': format.valueAttributeName,
      '#count': COUNTER_ATTRIBUTE,
      '#expiry': format.expiryAttributeName,
    },
    ExpressionAttributeValues: { ':string': { S: 'S' }, ':number': { S: 'N' }, ':now': nowValue(nowMs) },
    ReturnConsumedCapacity: 'TOTAL',
  });
}

/** PutItem that writes only while the stored, unexpired value equals `expected`. */
export function compareAndSwapCommand(target: TableTarget, write: ConditionalWrite, expected: string, nowMs: number): PutItemCommand {
  const { table, format } = target;
  const names = { '#value': format.valueAttributeName, '#expiry': format.expiryAttributeName };
  const values = { ':expected': { S: expected }, ':number': { S: 'N' }, ':now': nowValue(nowMs) };
  const count = countReadAs(expected);
  return new PutItemCommand({
    TableName: table,
    Item: format.item(write.key, write.value, write.expiresAt, write.token),
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    ...(count === undefined
      ? { ConditionExpression: CURRENT_EQUALS, ExpressionAttributeNames: names, ExpressionAttributeValues: values }
      : {
          ConditionExpression: CURRENT_EQUALS_OR_COUNT,
          ExpressionAttributeNames: { ...names, '#count': COUNTER_ATTRIBUTE },
          ExpressionAttributeValues: { ...values, ':expectedCount': { N: count } },
        }),
    ReturnConsumedCapacity: 'TOTAL',
  });
}

/** The condition did not hold: an answer (false) when no earlier attempt of the write may have been applied. */
export function isConditionFailed(error: unknown): error is ConditionalCheckFailedException {
  return error instanceof ConditionalCheckFailedException;
}

/** The count a counter holds when it reads as `text`: only the exact decimal form a counter reads as ("7", not "07" or "7.0"). */
function countReadAs(text: string): string | undefined {
  const count = Number(text);
  return Number.isSafeInteger(count) && String(count) === text ? text : undefined;
}

export function nowValue(nowMs: number): { N: string } {
  return { N: String(Math.floor(nowMs / 1000)) };
}
