import { SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import type { KvOperation } from '../contract/kv-store.interface.js';

const tracer = trace.getTracer('nestjs-dynamodb-kv');

/** The DynamoDB API each store operation calls, for `db.operation.name`. */
const DYNAMODB_OPERATION: Record<KvOperation, string> = {
  get: 'GetItem',
  set: 'PutItem',
  delete: 'DeleteItem',
  health_check: 'DescribeTable',
};

export interface SpanTarget {
  table: string;
  region: string;
}

/**
 * Runs `fn` inside a client span `kv.<operation>`, a child of the active context, with OpenTelemetry's
 * database attributes. Without an installed SDK the API hands out no-op spans, so this costs next to nothing.
 */
export function inOperationSpan<T>(operation: KvOperation, target: SpanTarget, fn: (span: Span) => Promise<T>): Promise<T> {
  const attributes = {
    'db.system.name': 'aws.dynamodb',
    'db.operation.name': DYNAMODB_OPERATION[operation],
    'db.collection.name': target.table,
    'aws.dynamodb.table_names': [target.table],
    'cloud.region': target.region,
  };
  return tracer.startActiveSpan(`kv.${operation}`, { kind: SpanKind.CLIENT, attributes }, async (span) => {
    try {
      return await fn(span);
    } finally {
      span.end();
    }
  });
}

export function markSpanFailed(span: Span, error: unknown): void {
  const exception = error instanceof Error ? error : new Error(String(error));
  // Without `code`, OpenTelemetry takes the class name (not our error code) as exception.type.
  span.recordException({ name: exception.name, message: exception.message, stack: exception.stack });
  span.setStatus({ code: SpanStatusCode.ERROR, message: exception.message });
  span.setAttribute('error.type', exception.name);
}
