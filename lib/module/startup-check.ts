import { Logger } from '@nestjs/common';
import { KvCredentialsError, KvStoreError, StartupCheckError } from '../contract/kv-store.errors.js';
import type { ClientSettings, DynamoKvSettings } from '../options/dynamo-kv.settings.js';
import { describeSdkFailure } from '../store/sdk-errors.js';
import type { DynamoKvStore } from '../store/dynamo-kv.store.js';

const logger = new Logger('DynamoKvModule');

/** Where a store's requests go, in words: what a wrong table, region or endpoint is found by. */
export function storePlace(settings: DynamoKvSettings, region: string): string {
  return `store '${settings.name}' (table '${settings.table}' in region '${region}' at ${endpointOf(settings.client)})`;
}

/**
 * The start-up check: DescribeTable once, at bootstrap. `'warn'` runs it without holding up bootstrap
 * and logs one warning when the table cannot serve (the app starts, and the store recovers by itself
 * when DynamoDB does); `'fail'` waits for it and fails bootstrap with {@link StartupCheckError}.
 */
export async function checkAtStartup(store: DynamoKvStore, settings: DynamoKvSettings): Promise<void> {
  // With createTable, bootstrap has just described the table, or created it and waited until it was ACTIVE.
  if (settings.startupCheck === 'off' || settings.createTable) return;
  const check = store.checkAtStartup().then(
    () => undefined,
    (error: unknown) => {
      const reason = error instanceof Error ? error.message : String(error);
      return `${capitalized(storePlace(settings, store.region))} cannot serve: ${reason}`;
    },
  );
  if (settings.startupCheck === 'warn') {
    void check.then((problem) => problem !== undefined && logger.warn(problem));
    return;
  }
  const problem = await check;
  if (problem !== undefined) throw new StartupCheckError(`${problem} (startupCheck: 'fail').`, { table: settings.table });
}

/** A failure while preparing the table (`createTable`), with the store named and the SDK's words left in the cause. */
export function tableSetupError(settings: DynamoKvSettings, region: string, error: unknown): KvStoreError {
  if (error instanceof KvStoreError) return error;
  const message = `${capitalized(storePlace(settings, region))} could not prepare its table (createTable): ${describeSdkFailure(error)}.`;
  const context = { table: settings.table, cause: error };
  return (error as { name?: unknown } | null)?.name === 'CredentialsProviderError' ? new KvCredentialsError(message, context) : new KvStoreError(message, context);
}

function endpointOf(client: ClientSettings): string {
  if (!client.owned) return 'the endpoint of the client passed in';
  const { endpoint } = client.config;
  return typeof endpoint === 'string' ? endpoint : "the region's AWS endpoint";
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
