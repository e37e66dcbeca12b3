import { PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { COUNTER_ATTRIBUTE, WRITE_TOKEN_ATTRIBUTE } from '../../input/kv-input.validation.js';
import { EXPIRED, nowValue, putWhereAbsent } from './conditional-put.request.js';
import type { TableTarget } from './item.request.js';

/** One increment: the key, the delta, the expiry a counter it creates gets, and the write's own token. */
export interface CounterWrite {
  key: string;
  delta: number;
  expiresAt: number | undefined;
  token: string;
}

/**
 * Adds to a live counter, or creates one under a key that has no item. The condition also refuses the
 * write when the item already holds this write's token: a resend of an applied increment then fails,
 * and the item it returns shows the count, instead of counting twice. It refuses an expired counter (a
 * restart puts a fresh one), a string value, and a count the delta would carry out of the safe integers.
 */
export function incrementCommand({ table, format }: TableTarget, write: CounterWrite, nowMs: number): UpdateItemCommand {
  const setExpiry = write.expiresAt === undefined ? '' : ', #expiry = if_not_exists(#expiry, :expiresAt)';
  return new UpdateItemCommand({
    TableName: table,
    Key: format.key(write.key),
    UpdateExpression: `ADD #count :delta SET #token = :token${setExpiry}`,
    ConditionExpression:
      `(attribute_not_exists(#key) OR (attribute_type(#count, :number) AND NOT (${EXPIRED}) AND #count BETWEEN :low AND :high)) ` +
      'AND NOT attribute_type(#value, :string) AND (attribute_not_exists(#token) OR #token <> :token)',
    ExpressionAttributeNames: {
      '#key': format.partitionKeyName,
      '#value': format.valueAttributeName,
      '#count': COUNTER_ATTRIBUTE,
      '#token': WRITE_TOKEN_ATTRIBUTE,
      '#expiry': format.expiryAttributeName,
    },
    ExpressionAttributeValues: {
      ':delta': { N: String(write.delta) },
      ':token': { S: write.token },
      ':string': { S: 'S' },
      ':number': { S: 'N' },
      ':now': nowValue(nowMs),
      // The counts the delta keeps within ±(2^53 - 1), where a JavaScript number is still exact.
      ':low': { N: String(BigInt(Number.MIN_SAFE_INTEGER) - BigInt(write.delta)) },
      ':high': { N: String(BigInt(Number.MAX_SAFE_INTEGER) - BigInt(write.delta)) },
      ...(write.expiresAt === undefined ? {} : { ':expiresAt': { N: String(write.expiresAt) } }),
    },
    ReturnValues: 'ALL_NEW',
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    ReturnConsumedCapacity: 'TOTAL',
  });
}

/** Puts a counter at `delta` over an item that holds no live value (an expired one, or one without a value). */
export function restartCounterCommand({ table, format }: TableTarget, write: CounterWrite, nowMs: number): PutItemCommand {
  return putWhereAbsent(table, format, format.counterItem(write.key, write.delta, write.expiresAt, write.token), nowMs);
}

/** Sets (or removes) the expiry of a key that holds a live value, leaving the value as it is. */
export function touchCommand({ table, format }: TableTarget, key: string, expiresAt: number | undefined, nowMs: number): UpdateItemCommand {
  return new UpdateItemCommand({
    TableName: table,
    Key: format.key(key),
    UpdateExpression: expiresAt === undefined ? 'REMOVE #expiry' : 'SET #expiry = :expiresAt',
    ConditionExpression: `(attribute_type(#value, :string) OR attribute_type(#count, :number)) AND NOT (${EXPIRED})`,
    ExpressionAttributeNames: { '#value': format.valueAttributeName, '#count': COUNTER_ATTRIBUTE, '#expiry': format.expiryAttributeName },
    ExpressionAttributeValues: {
      ':string': { S: 'S' },
      ':number': { S: 'N' },
      ':now': nowValue(nowMs),
      ...(expiresAt === undefined ? {} : { ':expiresAt': { N: String(expiresAt) } }),
    },
    ReturnConsumedCapacity: 'TOTAL',
  });
}
