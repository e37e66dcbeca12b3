import type { Counter, Histogram, Registry } from 'prom-client';
import { loadOptionalPeer } from '../peers/optional-peer.js';
import { BATCH_RETRIES_HELP, BATCH_RETRIES_METRIC, type BatchRetriesLabel } from './batch-retries.metric.js';
import { CONSUMED_CAPACITY_HELP, CONSUMED_CAPACITY_METRIC, type ConsumedCapacityLabel } from './consumed-capacity.metric.js';
import {
  OPERATION_DURATION_BUCKETS,
  OPERATION_DURATION_HELP,
  OPERATION_DURATION_METRIC,
  type OperationLabel,
} from './operation-duration.metric.js';

type Prometheus = typeof import('prom-client');

/** The store's Prometheus metrics. */
export interface StoreMetrics {
  duration: Histogram<OperationLabel>;
  consumedCapacity: Counter<ConsumedCapacityLabel>;
  batchRetries: Counter<BatchRetriesLabel>;
}

/**
 * The metrics in `registry` (prom-client's default one when absent), each created on first use: every
 * store and app instance in the process shares them (labels tell stores apart), so a second registration
 * never throws "already registered". Undefined when prom-client (an optional peer) is not installed.
 */
export async function loadStoreMetrics(registry?: Registry): Promise<StoreMetrics | undefined> {
  const prometheus = await loadOptionalPeer('prom-client', () => import('prom-client'));
  if (prometheus === undefined) return undefined;
  const target = registry ?? prometheus.register;
  return {
    duration: registered(prometheus.Histogram, target, OPERATION_DURATION_METRIC, () =>
      new prometheus.Histogram<OperationLabel>({
        name: OPERATION_DURATION_METRIC,
        help: OPERATION_DURATION_HELP,
        labelNames: ['store', 'table', 'operation', 'outcome'],
        buckets: OPERATION_DURATION_BUCKETS,
        registers: [target],
      }),
    ),
    consumedCapacity: registered(prometheus.Counter, target, CONSUMED_CAPACITY_METRIC, () =>
      new prometheus.Counter<ConsumedCapacityLabel>({
        name: CONSUMED_CAPACITY_METRIC,
        help: CONSUMED_CAPACITY_HELP,
        labelNames: ['store', 'table', 'operation', 'kind'],
        registers: [target],
      }),
    ),
    batchRetries: registered(prometheus.Counter, target, BATCH_RETRIES_METRIC, () =>
      new prometheus.Counter<BatchRetriesLabel>({
        name: BATCH_RETRIES_METRIC,
        help: BATCH_RETRIES_HELP,
        labelNames: ['store', 'table', 'operation'],
        registers: [target],
      }),
    ),
  };
}

function registered<M>(type: Prometheus['Histogram'] | Prometheus['Counter'], registry: Registry, name: string, create: () => M): M {
  const existing = registry.getSingleMetric(name);
  return existing instanceof type ? (existing as M) : create();
}
