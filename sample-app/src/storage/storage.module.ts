import { Inject, Logger, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import type { DynamoKvModuleOptions } from 'nestjs-dynamodb-kv';
import type { SampleConfig } from '../sample.config.js';
import { startEmbeddedDynamoDb } from './embedded-dynamodb.js';

/** The store's options, built once the storage the config names is up. */
export const KV_OPTIONS = Symbol('KV_OPTIONS');
const STORAGE = Symbol('STORAGE');

interface Storage {
  options: DynamoKvModuleOptions;
  close(): Promise<void>;
}

/** Local servers take any credentials; fixed ones keep a shell's real AWS keys away from them. */
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
const LOCAL_REGION = 'us-east-1';
const logger = new Logger('Storage');

/**
 * The store's options for the storage the config names. Local servers get their table created when it is
 * missing (the store's `createTable`); Amazon DynamoDB never does.
 */
async function openStorage(config: SampleConfig): Promise<Storage> {
  const { storage, table } = config;
  const batching = { enabled: config.batching };
  switch (storage.kind) {
    case 'aws':
      logger.log(`Using Amazon DynamoDB table '${table}' in ${storage.region}, with the AWS default credential chain.`);
      return { options: { table, region: storage.region, batching }, close: async () => {} };
    case 'endpoint': {
      logger.log(`Using the DynamoDB endpoint ${storage.endpoint}, table '${table}'.`);
      const options = { table, endpoint: storage.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, createTable: true, batching };
      return { options, close: async () => {} };
    }
    case 'embedded': {
      const embedded = await startEmbeddedDynamoDb(storage.dataDir);
      const options = { table, endpoint: embedded.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, createTable: true, batching };
      logger.log(
        `Using the embedded DynamoDB-compatible store (dynalite), data in ${storage.dataDir}. ` +
          'Set DYNAMODB_ENDPOINT to use DynamoDB Local or another endpoint, or KV_AWS_REGION to use Amazon DynamoDB.',
      );
      return { options, close: () => embedded.stop() };
    }
  }
}

/** Starts (or points at) the DynamoDB the config names and provides the store options for it. */
@Module({})
export class StorageModule implements OnApplicationShutdown {
  constructor(@Inject(STORAGE) private readonly storage: Storage) {}

  static register(config: SampleConfig): DynamicModule {
    return {
      module: StorageModule,
      providers: [
        { provide: STORAGE, useFactory: () => openStorage(config) },
        { provide: KV_OPTIONS, useFactory: (storage: Storage) => storage.options, inject: [STORAGE] },
      ],
      exports: [KV_OPTIONS],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.storage.close();
  }
}
