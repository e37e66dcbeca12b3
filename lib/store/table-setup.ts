import { ResourceNotFoundException, waitUntilTableExists, type DynamoDBClient, type TableDescription } from '@aws-sdk/client-dynamodb';
import { Logger } from '@nestjs/common';
import { InvalidOptionsError, KvStoreError } from '../contract/kv-store.errors.js';
import type { DynamoKvSettings } from '../options/dynamo-kv.settings.js';
import { createTableCommand, enableTimeToLiveCommand, isUnsupportedOperation, keySchemaMismatch } from './requests/create-table.request.js';
import { describeTableCommand } from './requests/describe-table.request.js';

const logger = new Logger('DynamoKvModule');

/**
 * `createTable: true`, at bootstrap: an existing table is only described (its key schema must be the
 * store's); a missing one is created on demand, awaited until ACTIVE, and given TTL when `ttl` is set.
 * All of it within the store's `startupTimeoutMs`.
 */
export async function prepareTable(client: DynamoDBClient, settings: DynamoKvSettings): Promise<void> {
  const { table, partitionKeyName } = settings;
  const existing = await describe(client, table);
  if (existing !== undefined) {
    const mismatch = keySchemaMismatch(existing, partitionKeyName);
    if (mismatch !== undefined) {
      throw new InvalidOptionsError(
        'partitionKeyName',
        `is '${partitionKeyName}', a string partition key alone, but table '${table}' has the key schema ${mismatch}.`,
      );
    }
    return;
  }
  await client.send(createTableCommand(table, partitionKeyName));
  // How long to wait is `startupTimeoutMs`, which bounds the whole bootstrap and so ends this wait first
  // (with its own message); the SDK's waiter still needs a bound of its own, and gets the same one.
  const maxWaitTime = Math.ceil(settings.startupTimeoutMs / 1000);
  try {
    await waitUntilTableExists({ client, maxWaitTime, minDelay: 1 }, { TableName: table });
  } catch (error) {
    throw new KvStoreError(`Table '${table}' was created but did not become ACTIVE within ${maxWaitTime} s.`, { table, cause: error });
  }
  logger.log(`Created table '${table}' (on demand, string partition key '${partitionKeyName}').`);
  if (settings.ttl.configured) await enableTimeToLive(client, settings);
}

async function describe(client: DynamoDBClient, table: string): Promise<TableDescription | undefined> {
  try {
    return (await client.send(describeTableCommand(table))).Table;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}

async function enableTimeToLive(client: DynamoDBClient, settings: DynamoKvSettings): Promise<void> {
  const { table, ttl } = settings;
  try {
    await client.send(enableTimeToLiveCommand(table, ttl.attributeName));
  } catch (error) {
    if (!isUnsupportedOperation(error)) throw error;
    logger.warn(
      `This DynamoDB server does not support TTL (UpdateTimeToLive), so it will not delete expired items of ` +
        `table '${table}'. Reads still treat them as missing.`,
    );
  }
}
