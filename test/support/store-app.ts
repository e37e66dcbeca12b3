import { testingModule } from './testing-module.js';
import type { INestApplicationContext } from '@nestjs/common';
import { DynamoKvModule, getKvStoreToken, type DynamoKvModuleForRootOptions, type KVStore } from '../../lib/index.js';
import { TEST_CREDENTIALS, TEST_REGION, testEndpoint } from './test-endpoint.js';

export interface StoreApp {
  app: INestApplicationContext;
  store: KVStore;
}

/** Options for a store on `table` at `endpoint` (a server of the test's own), with `clientConfig` as given. */
export function optionsAt(
  endpoint: string,
  table: string,
  clientConfig: DynamoKvModuleForRootOptions['clientConfig'],
): DynamoKvModuleForRootOptions {
  return { table, endpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS, clientConfig };
}

/** Options that reach this worker's test server. */
export function serverOptions(table: string): DynamoKvModuleForRootOptions {
  return { table, endpoint: testEndpoint(), region: TEST_REGION, credentials: TEST_CREDENTIALS };
}

/** A Nest application context that imports DynamoKvModule.forRoot(options), as an app would. */
export async function startStoreApp(options: DynamoKvModuleForRootOptions): Promise<StoreApp> {
  const moduleRef = await testingModule({ imports: [DynamoKvModule.forRoot(options)] }).compile();
  const app = await moduleRef.init();
  return { app, store: app.get<KVStore>(getKvStoreToken(options.name)) };
}
