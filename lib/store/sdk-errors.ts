import { ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { SendFailure } from '../client/store-client.js';
import {
  KvOutcomeUnknownError,
  KvStoreError,
  KvThrottledError,
  KvUnavailableError,
  OperationAbortedError,
  TableNotFoundError,
} from '../contract/kv-store.errors.js';
import type { KvOperation } from '../contract/kv-store.interface.js';

export interface FailedCall {
  operation: KvOperation;
  table: string;
  region: string;
  /** The caller's signal: its abort is the caller's decision, reported as such. */
  signal?: AbortSignal;
  /** The call's time budget in milliseconds, and its signal. */
  budget: { ms: number; signal: AbortSignal };
}

/** Operations that change what is stored: their failures may leave the outcome unknown. */
const WRITES = new Set<KvOperation>(['set', 'delete', 'set_many', 'delete_many', 'set_if_absent', 'compare_and_swap', 'set_json']);

const THROTTLING = new Set(['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded']);

/**
 * A failed request as the store's typed error. The message says what failed in words, without addresses
 * or the SDK's text; the SDK error is the `cause`, for the logs.
 */
export function toKvStoreError(error: unknown, call: FailedCall): KvStoreError {
  if (error instanceof KvStoreError) return error;
  const { operation, table, region, signal, budget } = call;
  const context = { operation, table };
  const failure = error instanceof SendFailure ? error : new SendFailure(error, true);
  // A call cut short by its budget is judged by what its attempts ran into (throttling, say).
  const sdkError = budget.signal.aborted && failure.lastAttemptError !== undefined ? failure.lastAttemptError : failure.cause;
  const mayHaveApplied = failure.mayHaveApplied;
  if (signal?.aborted) return new OperationAbortedError(signal.reason, context);
  if (sdkError instanceof ResourceNotFoundException) return new TableNotFoundError(table, region, { ...context, cause: sdkError });
  const name = sdkError instanceof Error ? sdkError.name : 'Error';
  if (THROTTLING.has(name)) {
    return new KvThrottledError(`DynamoDB throttled ${operation} on table '${table}' through every retry.`, { ...context, cause: sdkError });
  }
  const status = (sdkError as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
  if (status !== undefined && status < 500) {
    return new KvStoreError(`DynamoDB refused ${operation} on table '${table}' (${name}).`, { ...context, cause: sdkError });
  }
  const why = budget.signal.aborted ? `did not answer within ${budget.ms} ms` : failureInWords(sdkError, status);
  const cause = failure.cause;
  if (WRITES.has(operation) && mayHaveApplied) {
    return new KvOutcomeUnknownError(
      `DynamoDB ${why} for ${operation} on table '${table}', after the request may have arrived: the write may or may not have been applied.`,
      { ...context, cause },
    );
  }
  return new KvUnavailableError(`DynamoDB ${why} for ${operation} on table '${table}'; nothing was changed.`, { ...context, cause });
}

/** What went wrong on the wire, without the addresses and text the SDK puts in its messages. */
function failureInWords(error: unknown, status: number | undefined): string {
  if (status !== undefined) return `answered with a server error (HTTP ${status})`;
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (code === 'ECONNRESET' || code === 'EPIPE') return 'dropped the connection';
  if (code === 'ETIMEDOUT' || String(message).includes('requestTimeout') || String(message).includes('timed out')) return 'did not answer in time';
  return 'could not be reached';
}

export function describeFailure(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
