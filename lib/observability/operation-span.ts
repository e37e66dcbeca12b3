import type { Link, Span, Tracer } from '@opentelemetry/api';
import type { KvOperation } from '../contract/kv-store.interface.js';
import { loadOptionalPeer } from '../peers/optional-peer.js';

type OpenTelemetryApi = typeof import('@opentelemetry/api');

/** The DynamoDB API each store operation calls, for `db.operation.name`. */
const DYNAMODB_OPERATION: Record<KvOperation, string> = {
  get: 'GetItem',
  set: 'PutItem',
  delete: 'DeleteItem',
  get_many: 'BatchGetItem',
  set_many: 'BatchWriteItem',
  delete_many: 'BatchWriteItem',
  set_if_absent: 'PutItem',
  compare_and_swap: 'PutItem',
  get_json: 'GetItem',
  set_json: 'PutItem',
  list_keys: 'Scan',
  health_check: 'DescribeTable',
  increment: 'UpdateItem',
  touch: 'UpdateItem',
  // A lease's calls are conditional puts (after a read when acquiring).
  acquire_lease: 'PutItem',
  extend_lease: 'PutItem',
  release_lease: 'PutItem',
};

/** The requests a coalescer sends on behalf of several calls. */
export type BatchRequestName = 'BatchGetItem' | 'BatchWriteItem' | 'GetItem' | 'PutItem' | 'DeleteItem';

export interface SpanTarget {
  table: string;
  region: string;
}

/**
 * Client spans `kv.<operation>`, children of the active context, with OpenTelemetry's database attributes.
 * Until the app installs an OpenTelemetry SDK the API hands out no-op spans, which cost next to nothing.
 */
export class OperationTracer {
  private readonly tracer: Tracer;

  constructor(private readonly api: OpenTelemetryApi) {
    this.tracer = api.trace.getTracer('nestjs-dynamodb-kv');
  }

  inSpan<T>(operation: KvOperation, target: SpanTarget, fn: (span: Span) => Promise<T>): Promise<T> {
    const attributes = {
      'db.system.name': 'aws.dynamodb',
      'db.operation.name': DYNAMODB_OPERATION[operation],
      'db.collection.name': target.table,
      'aws.dynamodb.table_names': [target.table],
      'cloud.region': target.region,
    };
    return this.tracer.startActiveSpan(`kv.${operation}`, { kind: this.api.SpanKind.CLIENT, attributes }, async (span) => {
      try {
        return await fn(span);
      } finally {
        span.end();
      }
    });
  }

  /** A link to the active span: how a batch request names the calls it carries. */
  activeLink(): Link | undefined {
    const span = this.api.trace.getActiveSpan();
    return span === undefined ? undefined : { context: span.spanContext() };
  }

  /**
   * The span of one request a coalescer sends for many callers: a root span (it belongs to no single
   * caller's trace) linked to each caller's span, so that every trace still leads to the request.
   */
  inBatchSpan<T>(request: BatchRequestName, target: SpanTarget, links: Link[], fn: () => Promise<T>): Promise<T> {
    const attributes = {
      'db.system.name': 'aws.dynamodb',
      'db.operation.name': request,
      'db.operation.batch.size': links.length,
      'db.collection.name': target.table,
      'aws.dynamodb.table_names': [target.table],
      'cloud.region': target.region,
    };
    const options = { kind: this.api.SpanKind.CLIENT, attributes, links, root: true };
    return this.tracer.startActiveSpan(`kv.batch ${request}`, options, async (span) => {
      try {
        return await fn();
      } catch (error) {
        this.markFailed(span, error);
        throw error;
      } finally {
        span.end();
      }
    });
  }

  markFailed(span: Span, error: unknown): void {
    const exception = error instanceof Error ? error : new Error(String(error));
    // Without `code`, OpenTelemetry takes the class name (not our error code) as exception.type.
    span.recordException({ name: exception.name, message: exception.message, stack: exception.stack });
    span.setStatus({ code: this.api.SpanStatusCode.ERROR, message: exception.message });
    span.setAttribute('error.type', exception.name);
  }
}

/** The tracer, or undefined when `@opentelemetry/api` (an optional peer) is not installed: then no spans. */
export async function loadOperationTracer(): Promise<OperationTracer | undefined> {
  const api = await loadOptionalPeer('@opentelemetry/api', () => import('@opentelemetry/api'));
  return api === undefined ? undefined : new OperationTracer(api);
}
