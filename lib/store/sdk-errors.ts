import { ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { SendFailure } from '../client/store-client.js';
import {
  KvCredentialsError,
  KvOutcomeUnknownError,
  KvStoreError,
  KvThrottledError,
  KvUnavailableError,
  OperationAbortedError,
  TableNotFoundError,
  type KvStoreErrorContext,
} from '../contract/kv-store.errors.js';
import type { KvOperation } from '../contract/kv-store.interface.js';

export interface FailedCall {
  operation: KvOperation;
  table: string;
  region: string;
  /** The caller's signal: its abort is the caller's decision, reported as such. */
  signal?: AbortSignal;
  /** The call's time budget in milliseconds, and whether it ran out. */
  budget: { ms: number; expired: boolean };
}

/**
 * Whether an operation changes what is stored: its failures may leave the outcome unknown. A record, so
 * that a new operation cannot be left out by mistake.
 */
const CHANGES_STORED: Record<KvOperation, boolean> = {
  get: false,
  get_json: false,
  get_many: false,
  list_keys: false,
  health_check: false,
  set: true,
  set_json: true,
  delete: true,
  set_many: true,
  delete_many: true,
  set_if_absent: true,
  compare_and_swap: true,
  increment: true,
  touch: true,
  acquire_lease: true,
  extend_lease: true,
  release_lease: true,
};

const THROTTLING = new Set(['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded']);

/** How each converted error was made, so that a batch can tell each of its callers in its own operation's words. */
const conversions = new WeakMap<KvStoreError, { error: unknown; call: FailedCall }>();

/**
 * A failed request as the store's typed error. One precedence everywhere: a write that may have been
 * applied is `KvOutcomeUnknownError`, whatever the last attempt ran into (throttling, an abort, the budget);
 * only then do "aborted", "throttled" and "unavailable" say that nothing changed. The message says what
 * failed in words, without addresses or the SDK's text; the SDK error is the `cause`, for the logs.
 */
export function toKvStoreError(error: unknown, call: FailedCall): KvStoreError {
  if (error instanceof KvStoreError) return error;
  const converted = convert(error, call);
  conversions.set(converted, { error, call });
  return converted;
}

/** `error` as the store would have raised it for `operation`: a batch's failure told to one of its callers. */
export function errorForOperation(error: unknown, operation: KvOperation): unknown {
  const origin = error instanceof KvStoreError ? conversions.get(error) : undefined;
  if (origin === undefined || origin.call.operation === operation) return error;
  return toKvStoreError(origin.error, { ...origin.call, operation });
}

function convert(error: unknown, call: FailedCall): KvStoreError {
  const { operation, table, region, signal, budget } = call;
  const context = { operation, table };
  const failure = error instanceof SendFailure ? error : new SendFailure(error, true);
  // A call cut short by its budget is judged by what its attempts ran into (throttling, say).
  const sdkError = budget.expired && failure.lastAttemptError !== undefined ? failure.lastAttemptError : failure.cause;
  const cause = failure.cause;
  const name = sdkError instanceof Error ? sdkError.name : 'Error';
  const status = (sdkError as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
  if (CHANGES_STORED[operation] && failure.mayHaveApplied) {
    const why = signal?.aborted ? 'was aborted by its signal' : `failed (${whatHappened(sdkError, name, status, budget)})`;
    return new KvOutcomeUnknownError(
      `The ${operation} on table '${table}' ${why} after a request may have reached DynamoDB: the write may or may not have been applied. Read the key to know.`,
      { ...context, cause },
    );
  }
  if (signal?.aborted) return new OperationAbortedError(signal.reason, context);
  if (name === 'CredentialsProviderError') return noCredentials(table, { ...context, cause: sdkError });
  if (sdkError instanceof ResourceNotFoundException) return new TableNotFoundError(table, region, { ...context, cause: sdkError });
  if (THROTTLING.has(name)) {
    return new KvThrottledError(`DynamoDB throttled ${operation} on table '${table}' through every retry; nothing was changed.`, {
      ...context,
      cause: sdkError,
    });
  }
  if (status !== undefined && status >= 400 && status < 500) {
    return new KvStoreError(`DynamoDB refused ${operation} on table '${table}' (${name}).`, { ...context, cause: sdkError });
  }
  return new KvUnavailableError(`DynamoDB ${whatHappened(sdkError, name, status, budget)} for ${operation} on table '${table}'; nothing was changed.`, {
    ...context,
    cause,
  });
}

/** The SDK's credential chain came up empty: said as such, with what to do, never as a network failure. */
export function noCredentials(table: string, context: KvStoreErrorContext): KvCredentialsError {
  return new KvCredentialsError(
    `No AWS credentials to sign requests to table '${table}' with: the SDK's default chain found none. Set ` +
      'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE, or an IAM role), or pass the credentials option. Nothing was sent.',
    context,
  );
}

/** What went wrong, in words, for messages that are not about one operation (bootstrap). */
export function describeSdkFailure(error: unknown): string {
  const name = error instanceof Error ? error.name : 'Error';
  const status = (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
  if (name === 'CredentialsProviderError') return 'no AWS credentials were found (the SDK\'s default chain came up empty)';
  if (THROTTLING.has(name)) return 'DynamoDB throttled the request';
  if (status !== undefined && status >= 400 && status < 500) return `DynamoDB refused the request (${name})`;
  return `DynamoDB ${failureInWords(error, status)}`;
}

function whatHappened(error: unknown, name: string, status: number | undefined, budget: FailedCall['budget']): string {
  if (budget.expired) return `did not answer within ${budget.ms} ms`;
  if (THROTTLING.has(name)) return 'throttled the request';
  return failureInWords(error, status);
}

/** What went wrong on the wire, without the addresses and text the SDK puts in its messages. */
function failureInWords(error: unknown, status: number | undefined): string {
  if (status !== undefined && status >= 500) return `answered with a server error (HTTP ${status})`;
  if (status !== undefined) return `dropped the connection while answering (HTTP ${status})`;
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (code === 'ECONNRESET' || code === 'EPIPE') return 'dropped the connection';
  if (code === 'ETIMEDOUT' || String(message).includes('requestTimeout') || String(message).includes('timed out')) return 'did not answer in time';
  return 'could not be reached';
}

export function describeFailure(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
