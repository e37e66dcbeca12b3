import { Logger, type Provider } from '@nestjs/common';
import { createDynamoDbClient, resolveRegion } from './dynamo-kv.client.js';
import { DYNAMO_KV_OPTIONS, DYNAMO_KV_STORE, DYNAMO_KV_STORE_NAME } from './dynamo-kv.constants.js';
import { resolveSettings, type DynamoKvModuleOptions } from './dynamo-kv.options.js';
import { DynamoKvStore } from './dynamo-kv.store.js';
import { getKvStoreToken } from './dynamo-kv.tokens.js';

const logger = new Logger('DynamoKvModule');

/** Validates the options, builds (or adopts) the client and resolves its region: all before the app serves. */
export async function createDynamoKvStore(options: DynamoKvModuleOptions, name: string): Promise<DynamoKvStore> {
  const settings = resolveSettings(options);
  const ownsClient = options.client === undefined;
  const client = options.client ?? createDynamoDbClient(options);
  try {
    const region = await resolveRegion(client);
    logger.log(`Store '${name}' uses table '${settings.table}' in region '${region}'.`);
    return new DynamoKvStore({ ...settings, client, region, name, ownsClient });
  } catch (error) {
    if (ownsClient) client.destroy();
    throw error;
  }
}

export function storeProviders(name: string): Provider[] {
  return [
    { provide: DYNAMO_KV_STORE_NAME, useValue: name },
    { provide: DYNAMO_KV_STORE, useFactory: createDynamoKvStore, inject: [DYNAMO_KV_OPTIONS, DYNAMO_KV_STORE_NAME] },
    { provide: getKvStoreToken(name), useExisting: DYNAMO_KV_STORE },
  ];
}
