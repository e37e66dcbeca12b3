import type { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { DynamoKvModule, KV_STORE, type KVStore } from '../../lib/index.js';
import { startDynalite, type RunningServer } from '../support/dynalite-server.js';
import { SILENT_LOGGER } from '../support/silent-logger.js';
import { createTableAt, TEST_CREDENTIALS, TEST_REGION, uniqueTableName } from '../support/test-endpoint.js';

/** A store for Keyv's suite, and what closes it. */
export interface OpenedStore {
  store: KVStore;
  /** Where it is stored, for the suite's title. */
  server: string;
  close(): Promise<void>;
}

/**
 * A DynamoDB store on a fresh table, through DynamoKvModule as an app would have it: on DYNAMODB_ENDPOINT
 * when set (DynamoDB Local in CI), else on a dynalite of its own.
 */
export async function openDynamoStore(): Promise<OpenedStore> {
  const dynalite: RunningServer | undefined = process.env.DYNAMODB_ENDPOINT ? undefined : await startDynalite();
  const endpoint = process.env.DYNAMODB_ENDPOINT ?? dynalite!.endpoint;
  let app: INestApplicationContext | undefined;
  try {
    const table = uniqueTableName('keyv');
    await createTableAt(endpoint, table);
    const options = { table, endpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS, startupTimeoutMs: 30_000 };
    const moduleRef = await Test.createTestingModule({ imports: [DynamoKvModule.forRoot(options)] })
      .setLogger(SILENT_LOGGER)
      .compile();
    app = await moduleRef.init();
  } catch (error) {
    await dynalite?.close();
    throw error;
  }
  const opened = app;
  return {
    store: opened.get<KVStore>(KV_STORE),
    server: dynalite === undefined ? `DYNAMODB_ENDPOINT ${endpoint}` : 'dynalite',
    close: async () => {
      await opened.close();
      await dynalite?.close();
    },
  };
}
