import { Logger, type Provider } from '@nestjs/common';
import { KvUnavailableError } from '../contract/kv-store.errors.js';
import { getKvStoreToken } from '../contract/kv-store.tokens.js';
import { BATCH_RETRIES_METRIC_TOKEN } from '../observability/batch-retries.metric.js';
import { CONSUMED_CAPACITY_METRIC_TOKEN } from '../observability/consumed-capacity.metric.js';
import { OPERATION_DURATION_METRIC_TOKEN } from '../observability/operation-duration.metric.js';
import { OperationObserver } from '../observability/operation-observer.js';
import { loadOperationTracer } from '../observability/operation-span.js';
import { loadStoreMetrics, type StoreMetrics } from '../observability/store-metrics.js';
import { resolveRegion } from '../client/region.js';
import { clientFor } from '../client/store-client.js';
import type { DynamoKvModuleOptions } from '../options/dynamo-kv.options.js';
import { resolveSettings, type DynamoKvSettings } from '../options/dynamo-kv.settings.js';
import { DynamoKvStore } from '../store/dynamo-kv.store.js';
import { prepareTable } from '../store/table-setup.js';
import { checkAtStartup, tableSetupError } from './startup-check.js';
import { DYNAMO_KV_METRICS, DYNAMO_KV_OPTIONS, DYNAMO_KV_SETTINGS, DYNAMO_KV_STORE } from './dynamo-kv.internal-tokens.js';
import { keyspaceOf } from './store-keyspace.js';
import { StoreRegistrations } from './store-registrations.js';

const logger = new Logger('DynamoKvModule');

/** Options in, settings out, once: every other provider of the store reads the settings. */
function settingsFor(name: string) {
  return (options: DynamoKvModuleOptions | undefined, registrations: StoreRegistrations): DynamoKvSettings => {
    const settings = resolveSettings(options, name);
    registrations.claim(name, settings);
    return settings;
  };
}

function metricsFor(settings: DynamoKvSettings): Promise<StoreMetrics | undefined> {
  return settings.metrics.enabled ? loadStoreMetrics(settings.metrics.registry) : Promise.resolve(undefined);
}

/**
 * Builds (or adopts) the client, resolves its region and, when asked, prepares the table: all before the
 * app serves, and within `startupTimeoutMs`, so that an endpoint that never answers fails bootstrap
 * with a message instead of hanging it. The store's keys are claimed once the region is known, the first
 * moment two stores can be told to be on one table.
 */
async function createStore(settings: DynamoKvSettings, metrics: StoreMetrics | undefined, registrations: StoreRegistrations): Promise<DynamoKvStore> {
  const client = clientFor(settings.client);
  let step = 'resolving its region';
  const ready = async (): Promise<DynamoKvStore> => {
    const region = await resolveRegion(client.client);
    registrations.claimKeyspace(keyspaceOf(settings, region));
    step = `preparing table '${settings.table}' (createTable)`;
    if (settings.createTable) await prepareTable(client.client, settings).catch((error: unknown) => Promise.reject(tableSetupError(settings, region, error)));
    logger.log(`Store '${settings.name}' connects to table '${settings.table}' in region '${region}'.`);
    const observed = { name: settings.name, table: settings.table, region, logOperations: settings.logOperations };
    const store = new DynamoKvStore(settings, { client, region }, new OperationObserver(observed, metrics, await loadOperationTracer()));
    step = `checking table '${settings.table}' (startupCheck)`;
    await checkAtStartup(store, settings);
    return store;
  };
  try {
    return await withinMs(settings.startupTimeoutMs, ready(), () =>
      new KvUnavailableError(`Store '${settings.name}' was not ready within ${settings.startupTimeoutMs} ms: DynamoDB did not answer while ${step}.`, {
        table: settings.table,
      }),
    );
  } catch (error) {
    if (client.owned) client.client.destroy();
    throw error;
  }
}

/** `promise`, or `late()`'s error once `ms` have passed. */
function withinMs<T>(ms: number, promise: Promise<T>, late: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(late()), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** Each metric under the token `@InjectMetric(name)` resolves; undefined when metrics are off or prom-client is missing. */
const METRIC_TOKENS = {
  [OPERATION_DURATION_METRIC_TOKEN]: (metrics?: StoreMetrics) => metrics?.duration,
  [CONSUMED_CAPACITY_METRIC_TOKEN]: (metrics?: StoreMetrics) => metrics?.consumedCapacity,
  [BATCH_RETRIES_METRIC_TOKEN]: (metrics?: StoreMetrics) => metrics?.batchRetries,
};

export function storeProviders(name: string): Provider[] {
  return [
    { provide: DYNAMO_KV_SETTINGS, useFactory: settingsFor(name), inject: [DYNAMO_KV_OPTIONS, StoreRegistrations] },
    { provide: DYNAMO_KV_METRICS, useFactory: metricsFor, inject: [DYNAMO_KV_SETTINGS] },
    ...Object.entries(METRIC_TOKENS).map(([token, pick]) => ({ provide: token, useFactory: pick, inject: [DYNAMO_KV_METRICS] })),
    { provide: DYNAMO_KV_STORE, useFactory: createStore, inject: [DYNAMO_KV_SETTINGS, DYNAMO_KV_METRICS, StoreRegistrations] },
    { provide: getKvStoreToken(name), useExisting: DYNAMO_KV_STORE },
  ];
}

export function storeExports(name: string): string[] {
  return [getKvStoreToken(name), ...Object.keys(METRIC_TOKENS)];
}
