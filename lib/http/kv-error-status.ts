import { HttpStatus } from '@nestjs/common';
import {
  BatchIncompleteError,
  InvalidJsonError,
  InvalidKeyError,
  InvalidTtlError,
  InvalidValueError,
  ItemTooLargeError,
  KeyNotFoundError,
  KvOutcomeUnknownError,
  KvOverloadedError,
  KvStoreError,
  KvThrottledError,
  KvUnavailableError,
  NotACounterError,
  NotALeaseError,
  OperationAbortedError,
  TableNotActiveError,
} from '../contract/kv-store.errors.js';

/** How an HTTP client should read a store error: the status, and whether trying again soon can help. */
export interface HttpAnswer {
  statusCode: number;
  /** Seconds for `Retry-After`, only for failures that pass by themselves. */
  retryAfterSeconds?: number;
}

/**
 * Failures that pass by themselves (DynamoDB out of reach or throttling, a full queue, a table still being
 * created): worth a `Retry-After`. Everything else that is not the client's fault (a missing table, bad
 * options, DynamoDB refusing the request for permissions or validation, a store closed for shutdown) needs
 * someone to act, so it gets no `Retry-After`, lest clients hammer a server that cannot recover alone.
 */
const TRANSIENT: ReadonlyArray<abstract new (...args: never[]) => KvStoreError> = [
  KvUnavailableError,
  KvThrottledError,
  KvOutcomeUnknownError,
  KvOverloadedError,
  BatchIncompleteError,
  TableNotActiveError,
  OperationAbortedError,
];

const RETRY_AFTER_SECONDS = 1;

/**
 * 400 invalid input, 404 missing key, 409 a string where a counter was meant, 413 item too large, 422 a stored value that is not JSON; any other
 * store error is the server's side (never a 500: those mean a bug), 503, with `Retry-After` when transient.
 */
export function httpAnswerOf(error: KvStoreError): HttpAnswer {
  if (error instanceof KeyNotFoundError) return { statusCode: HttpStatus.NOT_FOUND };
  if (error instanceof NotACounterError || error instanceof NotALeaseError) return { statusCode: HttpStatus.CONFLICT };
  if (error instanceof ItemTooLargeError) return { statusCode: HttpStatus.PAYLOAD_TOO_LARGE };
  if (error instanceof InvalidJsonError) return { statusCode: HttpStatus.UNPROCESSABLE_ENTITY };
  if (error instanceof InvalidKeyError || error instanceof InvalidValueError || error instanceof InvalidTtlError) {
    return { statusCode: HttpStatus.BAD_REQUEST };
  }
  const transient = TRANSIENT.some((type) => error instanceof type);
  return transient ? { statusCode: HttpStatus.SERVICE_UNAVAILABLE, retryAfterSeconds: RETRY_AFTER_SECONDS } : { statusCode: HttpStatus.SERVICE_UNAVAILABLE };
}
