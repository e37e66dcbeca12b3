import type { DynamoKvModuleForRootOptions } from '../../lib/index.js';
import { TEST_CREDENTIALS, TEST_REGION, testEndpoint } from './test-endpoint.js';

/** Options for a store on `table` at `endpoint` (a server of the test's own), with `clientConfig` as given. */
export function optionsAt(
  endpoint: string,
  table: string,
  clientConfig?: DynamoKvModuleForRootOptions['clientConfig'],
): DynamoKvModuleForRootOptions {
  return { table, endpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS, clientConfig };
}

/** Options that reach this worker's test server. */
export function serverOptions(table: string): DynamoKvModuleForRootOptions {
  return optionsAt(testEndpoint(), table);
}
