import { getMetricToken } from './metric-token.js';

export const BATCH_RETRIES_METRIC = 'dynamodb_kv_batch_retries_total';

export type BatchRetriesLabel = 'store' | 'table' | 'operation';

/** Token of the batch-retries counter, as `@InjectMetric('dynamodb_kv_batch_retries_total')`. */
export const BATCH_RETRIES_METRIC_TOKEN = getMetricToken(BATCH_RETRIES_METRIC);

export const BATCH_RETRIES_HELP = 'Batch requests resent for the keys or items DynamoDB left unprocessed, by store, table and operation.';
