import { Logger, type Provider } from '@nestjs/common';
import type { Histogram } from 'prom-client';
import { createDynamoDbClient, resolveRegion } from './dynamo-kv.client.js';
import { DYNAMO_KV_OPTIONS, DYNAMO_KV_STORE, DYNAMO_KV_STORE_NAME } from './dynamo-kv.constants.js';
import { resolveSettings, type DynamoKvModuleOptions } from './dynamo-kv.options.js';
import { DynamoKvStore } from './dynamo-kv.store.js';
import { getKvStoreToken } from './dynamo-kv.tokens.js';
import { DynamoKvHealthIndicator } from './health/dynamo-kv.health.js';
import {
  OPERATION_DURATION_METRIC,
  getMetricToken,
  operationDurationHistogram,
  type OperationLabel,
} from './metrics/operation-duration.metric.js';

const logger = new Logger('DynamoKvModule');

/** Token of the operation-duration histogram, as `@InjectMetric('dynamodb_kv_operation_duration_seconds')`. */
export const OPERATION_DURATION_METRIC_TOKEN = getMetricToken(OPERATION_DURATION_METRIC);

/** Validates the options, builds (or adopts) the client and resolves its region: all before the app serves. */
export async function createDynamoKvStore(
  options: DynamoKvModuleOptions,
  name: string,
  histogram: Histogram<OperationLabel> | undefined,
): Promise<DynamoKvStore> {
  const settings = resolveSettings(options);
  const ownsClient = options.client === undefined;
  const client = options.client ?? createDynamoDbClient(options);
  try {
    const region = await resolveRegion(client);
    logger.log(`Store '${name}' connects to table '${settings.table}' in region '${region}'.`);
    return new DynamoKvStore({ ...settings, client, region, name, ownsClient, histogram });
  } catch (error) {
    if (ownsClient) client.destroy();
    throw error;
  }
}

function histogramFor(options: DynamoKvModuleOptions): Histogram<OperationLabel> | undefined {
  return options.metrics?.enabled === false ? undefined : operationDurationHistogram(options.metrics?.registry);
}

export function storeProviders(name: string): Provider[] {
  return [
    { provide: DYNAMO_KV_STORE_NAME, useValue: name },
    { provide: OPERATION_DURATION_METRIC_TOKEN, useFactory: histogramFor, inject: [DYNAMO_KV_OPTIONS] },
    {
      provide: DYNAMO_KV_STORE,
      useFactory: createDynamoKvStore,
      inject: [DYNAMO_KV_OPTIONS, DYNAMO_KV_STORE_NAME, OPERATION_DURATION_METRIC_TOKEN],
    },
    { provide: getKvStoreToken(name), useExisting: DYNAMO_KV_STORE },
    DynamoKvHealthIndicator,
  ];
}

export function storeExports(name: string): Array<string | typeof DynamoKvHealthIndicator> {
  return [getKvStoreToken(name), OPERATION_DURATION_METRIC_TOKEN, DynamoKvHealthIndicator];
}
