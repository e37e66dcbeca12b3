import { Logger, type Provider } from '@nestjs/common';
import type { Histogram } from 'prom-client';
import { getKvStoreToken } from '../contract/kv-store.tokens.js';
import {
  OPERATION_DURATION_METRIC_TOKEN,
  operationDurationHistogram,
  type OperationLabel,
} from '../observability/operation-duration.metric.js';
import { OperationObserver } from '../observability/operation-observer.js';
import { loadOperationTracer } from '../observability/operation-span.js';
import { clientFor, resolveRegion } from '../options/dynamo-db.client.js';
import type { DynamoKvModuleOptions } from '../options/dynamo-kv.options.js';
import { resolveSettings, type DynamoKvSettings } from '../options/dynamo-kv.settings.js';
import { DynamoKvStore } from '../store/dynamo-kv.store.js';
import { DYNAMO_KV_OPTIONS, DYNAMO_KV_SETTINGS, DYNAMO_KV_STORE } from './dynamo-kv.internal-tokens.js';
import { StoreRegistrations } from './store-registrations.js';

const logger = new Logger('DynamoKvModule');

/** Options in, settings out, once: every other provider of the store reads the settings. */
function settingsFor(name: string) {
  return (options: DynamoKvModuleOptions | undefined, registrations: StoreRegistrations): DynamoKvSettings => {
    const settings = resolveSettings(options, name);
    registrations.claim(name, settings.table);
    return settings;
  };
}

async function histogramFor(settings: DynamoKvSettings): Promise<Histogram<OperationLabel> | undefined> {
  return settings.metrics.enabled ? operationDurationHistogram(settings.metrics.registry) : undefined;
}

/** Builds (or adopts) the client and resolves its region: all before the app serves. */
async function createStore(settings: DynamoKvSettings, histogram: Histogram<OperationLabel> | undefined): Promise<DynamoKvStore> {
  const client = clientFor(settings.client);
  try {
    const region = await resolveRegion(client);
    logger.log(`Store '${settings.name}' connects to table '${settings.table}' in region '${region}'.`);
    const observer = new OperationObserver({ name: settings.name, table: settings.table, region }, histogram, await loadOperationTracer());
    return new DynamoKvStore(settings, { client, region }, observer);
  } catch (error) {
    if (settings.client.owned) client.destroy();
    throw error;
  }
}

export function storeProviders(name: string): Provider[] {
  return [
    { provide: DYNAMO_KV_SETTINGS, useFactory: settingsFor(name), inject: [DYNAMO_KV_OPTIONS, StoreRegistrations] },
    { provide: OPERATION_DURATION_METRIC_TOKEN, useFactory: histogramFor, inject: [DYNAMO_KV_SETTINGS] },
    { provide: DYNAMO_KV_STORE, useFactory: createStore, inject: [DYNAMO_KV_SETTINGS, OPERATION_DURATION_METRIC_TOKEN] },
    { provide: getKvStoreToken(name), useExisting: DYNAMO_KV_STORE },
  ];
}

export function storeExports(name: string): string[] {
  return [getKvStoreToken(name), OPERATION_DURATION_METRIC_TOKEN];
}
