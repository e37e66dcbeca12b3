import { KeyNotFoundError, KvStoreError } from '../contract/kv-store.errors.js';

/**
 * How an operation ended, in one vocabulary for metrics, logs and spans: `success`, `not_found` (a read
 * that found no value: an answer, not a failure), `expired` (a read that found an item whose expiry had
 * passed, which DynamoDB had not deleted yet), or the failing error's `code` in lower case
 * (`invalid_key`, `table_not_found`, `kv_store_error`, ...).
 */
export type OperationOutcome = string;

export function outcomeOf(error: unknown): OperationOutcome {
  if (error instanceof KeyNotFoundError) return error.expired ? 'expired' : 'not_found';
  if (error instanceof KvStoreError) return error.code.toLowerCase();
  return 'error';
}

/** A failure is anything but an answer: a missing key is not one. */
export function isFailure(error: unknown): boolean {
  return !(error instanceof KeyNotFoundError);
}
