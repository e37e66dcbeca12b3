import { getMetricToken } from './metric-token.js';

export const OPERATION_DURATION_METRIC = 'dynamodb_kv_operation_duration_seconds';

export type OperationLabel = 'store' | 'table' | 'operation' | 'outcome';

/** 0.5 ms (an in-region GetItem) to 10 s (a request that ran into timeouts and retries). */
export const OPERATION_DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Token of the operation-duration histogram, as `@InjectMetric('dynamodb_kv_operation_duration_seconds')`. */
export const OPERATION_DURATION_METRIC_TOKEN = getMetricToken(OPERATION_DURATION_METRIC);

export const OPERATION_DURATION_HELP = 'Duration of DynamoDB key-value store operations, by store, table, operation and outcome.';
