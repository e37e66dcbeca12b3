import { getMetricToken } from './metric-token.js';

export const CONSUMED_CAPACITY_METRIC = 'dynamodb_kv_consumed_capacity_units_total';

export type ConsumedCapacityLabel = 'store' | 'table' | 'operation' | 'kind';

/** Read capacity (GetItem, BatchGetItem) or write capacity (PutItem, DeleteItem, BatchWriteItem). */
export type CapacityKind = 'read' | 'write';

/** Token of the consumed-capacity counter, as `@InjectMetric('dynamodb_kv_consumed_capacity_units_total')`. */
export const CONSUMED_CAPACITY_METRIC_TOKEN = getMetricToken(CONSUMED_CAPACITY_METRIC);

export const CONSUMED_CAPACITY_HELP =
  'Capacity units DynamoDB reported as consumed (ReturnConsumedCapacity TOTAL), by store, table, operation and kind.';
