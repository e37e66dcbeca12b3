import type { KvOperation } from '../contract/kv-store.interface.js';
import type { CapacityKind } from './consumed-capacity.metric.js';
import { OperationLog, type ObservedKeys } from './operation-log.js';
import { isFailure, outcomeOf, type OperationOutcome } from './operation-outcome.js';
import type { BatchRequestName, OperationTracer, SpanTarget } from './operation-span.js';
import type { StoreMetrics } from './store-metrics.js';

export interface ObservedStore extends SpanTarget {
  name: string;
  /** A debug line for every successful operation, not only for failures (`logOperations`). */
  logOperations?: boolean;
}

/** Gives every store operation its span, its histogram sample and its log line; counts capacity and retries. */
export class OperationObserver {
  private readonly log: OperationLog;

  constructor(
    private readonly store: ObservedStore,
    private readonly metrics: StoreMetrics | undefined,
    private readonly tracer: OperationTracer | undefined,
  ) {
    this.log = new OperationLog(store.logOperations ?? false);
  }

  /** `keys`: the one key of a single-key operation (logged at debug level only), or how many a batch had. */
  observe<T>(operation: KvOperation, keys: ObservedKeys, run: () => Promise<T>): Promise<T> {
    if (this.tracer === undefined) return this.measure(operation, keys, run);
    const tracer = this.tracer;
    return tracer.inSpan(operation, this.store, (span) =>
      this.measure(operation, keys, run, (error) => tracer.markFailed(span, error)),
    );
  }

  /** What a coalescer keeps of a caller to trace the request that carries it: its span, as a link (opaque here). */
  callerLink(): unknown {
    return this.tracer?.activeLink();
  }

  /** Runs a coalescer's request for several callers in a span of its own, linked to theirs (a root span: it is no one caller's). */
  batchRequest<T>(request: BatchRequestName, callerLinks: unknown[], send: () => Promise<T>): Promise<T> {
    // A request of one caller is that caller's own: its operation span says all, as on the unbatched path.
    if (this.tracer === undefined || callerLinks.length < 2) return send();
    const links = callerLinks.filter((link): link is NonNullable<ReturnType<OperationTracer['activeLink']>> => link !== undefined);
    return this.tracer.inBatchSpan(request, this.store, links, send);
  }

  /** Capacity DynamoDB reported for one request of `operation`. */
  consumed(operation: KvOperation, kind: CapacityKind, units: number): void {
    if (units > 0) this.metrics?.consumedCapacity.inc({ store: this.store.name, table: this.store.table, operation, kind }, units);
  }

  /** One resend of the keys or items a batch request of `operation` left unprocessed. */
  batchRetried(operation: KvOperation): void {
    this.metrics?.batchRetries.inc({ store: this.store.name, table: this.store.table, operation });
  }

  private async measure<T>(operation: KvOperation, keys: ObservedKeys, run: () => Promise<T>, onFailure?: (error: unknown) => void): Promise<T> {
    const started = performance.now();
    try {
      const result = await run();
      this.record(operation, 'success', started, keys);
      return result;
    } catch (error) {
      const failure = isFailure(error);
      this.record(operation, outcomeOf(error), started, keys, failure ? error : undefined);
      if (failure) onFailure?.(error);
      throw error;
    }
  }

  private record(operation: KvOperation, outcome: OperationOutcome, started: number, keys: ObservedKeys, error?: unknown): void {
    const durationMs = performance.now() - started;
    const { name: store, table } = this.store;
    this.metrics?.duration.observe({ store, table, operation, outcome }, durationMs / 1000);
    this.log.write({ store, table, operation, outcome, durationMs, keys, error });
  }
}
