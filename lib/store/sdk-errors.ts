import { ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { KvStoreError, OperationAbortedError, TableNotFoundError } from '../contract/kv-store.errors.js';
import type { KvOperation } from '../contract/kv-store.interface.js';

export interface FailedCall {
  operation: KvOperation;
  table: string;
  region: string;
  signal?: AbortSignal;
}

/** An SDK failure as the store's typed error, with the SDK error as `cause`. */
export function toKvStoreError(error: unknown, call: FailedCall): KvStoreError {
  const { operation, table, region, signal } = call;
  if (error instanceof KvStoreError) return error;
  if (signal?.aborted) return new OperationAbortedError(signal.reason, { operation, table });
  if (error instanceof ResourceNotFoundException) return new TableNotFoundError(table, region, { operation, cause: error });
  return new KvStoreError(`DynamoDB ${operation} on table '${table}' failed: ${describeFailure(error)}`, {
    operation,
    table,
    cause: error,
  });
}

export function describeFailure(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
