import type { Histogram } from 'prom-client';
import { KeyNotFoundError } from './kv-store.errors.js';
import type { KvOperation } from './kv-store.interface.js';
import { OperationLog } from './logging/operation-log.js';
import type { OperationLabel } from './metrics/operation-duration.metric.js';
import { inOperationSpan, markSpanFailed } from './tracing/operation-span.js';

export interface ObservedStore {
  name: string;
  table: string;
  region: string;
}

/** Wraps each store operation in a span, a histogram observation and a log line. */
export class OperationObserver {
  private readonly log = new OperationLog();

  constructor(
    private readonly store: ObservedStore,
    private readonly histogram: Histogram<OperationLabel> | undefined,
  ) {}

  observe<T>(operation: KvOperation, key: unknown, run: () => Promise<T>): Promise<T> {
    return inOperationSpan(operation, this.store, async (span) => {
      const started = performance.now();
      try {
        const result = await run();
        this.record(operation, 'success', started, key);
        return result;
      } catch (error) {
        const notFound = error instanceof KeyNotFoundError;
        this.record(operation, notFound ? 'not_found' : outcomeOf(error), started, key, notFound ? undefined : error);
        if (!notFound) markSpanFailed(span, error);
        throw error;
      }
    });
  }

  private record(operation: KvOperation, outcome: string, started: number, key: unknown, error?: unknown): void {
    const durationMs = performance.now() - started;
    const { name: store, table } = this.store;
    this.histogram?.observe({ store, table, operation, outcome }, durationMs / 1000);
    this.log.write({ store, table, operation, outcome, durationMs, key, error });
  }
}

function outcomeOf(error: unknown): string {
  return error instanceof Error ? error.name : 'Error';
}
