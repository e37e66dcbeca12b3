import { Histogram, register as defaultRegistry, type Registry } from 'prom-client';

export const OPERATION_DURATION_METRIC = 'dynamodb_kv_operation_duration_seconds';

export type OperationLabel = 'store' | 'table' | 'operation' | 'outcome';

/** 0.5 ms (an in-region GetItem) to 10 s (a request that ran into timeouts and retries). */
export const OPERATION_DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The token `@InjectMetric(name)` of @willsoto/nestjs-prometheus resolves. */
export function getMetricToken(name: string): string {
  return `PROM_METRIC_${name.toUpperCase()}`;
}

/** Token of the operation-duration histogram, as `@InjectMetric('dynamodb_kv_operation_duration_seconds')`. */
export const OPERATION_DURATION_METRIC_TOKEN = getMetricToken(OPERATION_DURATION_METRIC);

/**
 * The histogram in `registry`, created on first use. Every store and every app instance in the process
 * shares it (labels tell stores apart), so a second registration never throws "already registered".
 */
export function operationDurationHistogram(registry: Registry = defaultRegistry): Histogram<OperationLabel> {
  const existing = registry.getSingleMetric(OPERATION_DURATION_METRIC);
  if (existing instanceof Histogram) return existing as Histogram<OperationLabel>;
  return new Histogram<OperationLabel>({
    name: OPERATION_DURATION_METRIC,
    help: 'Duration of DynamoDB key-value store operations, by store, table, operation and outcome.',
    labelNames: ['store', 'table', 'operation', 'outcome'],
    buckets: OPERATION_DURATION_BUCKETS,
    registers: [registry],
  });
}
