import type { Histogram, Registry } from 'prom-client';
import { loadOptionalPeer } from '../peers/optional-peer.js';

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
 * The histogram in `registry` (prom-client's default one when absent), created on first use. Every store
 * and every app instance in the process shares it (labels tell stores apart), so a second registration
 * never throws "already registered". Undefined when prom-client (an optional peer) is not installed.
 */
export async function operationDurationHistogram(registry?: Registry): Promise<Histogram<OperationLabel> | undefined> {
  const prometheus = await loadOptionalPeer('prom-client', () => import('prom-client'));
  if (prometheus === undefined) return undefined;
  const target = registry ?? prometheus.register;
  const existing = target.getSingleMetric(OPERATION_DURATION_METRIC);
  if (existing instanceof prometheus.Histogram) return existing as Histogram<OperationLabel>;
  return new prometheus.Histogram<OperationLabel>({
    name: OPERATION_DURATION_METRIC,
    help: 'Duration of DynamoDB key-value store operations, by store, table, operation and outcome.',
    labelNames: ['store', 'table', 'operation', 'outcome'],
    buckets: OPERATION_DURATION_BUCKETS,
    registers: [target],
  });
}
