import { HttpException, HttpStatus } from '@nestjs/common';
import type { KvStoreError } from '../contract/kv-store.errors.js';
import type { KvErrorBody } from '../http/kv-http-exception.filter.js';
import { httpAnswerOf } from '../http/kv-error-status.js';
import type { UnavailableReason } from './idempotency-record.js';

/** What `KvIdempotencyInterceptor` answers instead of running a route, by cause (store failures carry the store's code). */
export type KvIdempotencyErrorCode =
  | 'IDEMPOTENCY_KEY_MISSING'
  | 'INVALID_IDEMPOTENCY_KEY'
  | 'IDEMPOTENCY_KEY_IN_USE'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'IDEMPOTENCY_RESPONSE_UNAVAILABLE'
  | 'IDEMPOTENCY_KEY_CONTENDED'
  | 'IDEMPOTENCY_BODY_UNREADABLE'
  | 'IDEMPOTENCY_RECORD_UNREADABLE';

/** Seconds a client is told to wait before retrying a key that is in use. */
const IN_USE_RETRY_AFTER_SECONDS = 1;

/**
 * An answer the interceptor gives without running the handler: an `HttpException` whose body has the
 * library's error shape ({@link KvErrorBody}), so that Nest's own exception handling sends it on Express
 * and Fastify alike, with no filter to register. The interceptor sets `Retry-After` from
 * `retryAfterSeconds` before throwing it.
 */
export class KvIdempotencyException extends HttpException {
  constructor(
    /** A {@link KvIdempotencyErrorCode}, or the store's own code when the store failed. */
    readonly code: KvIdempotencyErrorCode | string,
    statusCode: number,
    message: string,
    readonly retryAfterSeconds?: number,
    cause?: unknown,
  ) {
    const body: KvErrorBody = { statusCode, error: code, message };
    super(body, statusCode, cause === undefined ? undefined : { cause });
  }
}

export function keyMissing(): KvIdempotencyException {
  return new KvIdempotencyException(
    'IDEMPOTENCY_KEY_MISSING',
    HttpStatus.BAD_REQUEST,
    'This request needs an Idempotency-Key header: a unique value, such as a UUID, that a retry of the request repeats.',
  );
}

export function keyInvalid(reason: string): KvIdempotencyException {
  return new KvIdempotencyException('INVALID_IDEMPOTENCY_KEY', HttpStatus.BAD_REQUEST, `Invalid Idempotency-Key header: ${reason}`);
}

export function keyInUse(): KvIdempotencyException {
  return new KvIdempotencyException(
    'IDEMPOTENCY_KEY_IN_USE',
    HttpStatus.CONFLICT,
    'A request with this Idempotency-Key is still in progress: retry once it has completed.',
    IN_USE_RETRY_AFTER_SECONDS,
  );
}

export function keyReused(): KvIdempotencyException {
  return new KvIdempotencyException(
    'IDEMPOTENCY_KEY_REUSED',
    HttpStatus.UNPROCESSABLE_ENTITY,
    'This Idempotency-Key was used for a different request (method, URL or body): use a new key for a new request.',
  );
}

/**
 * The request with this key ran, and there is no response to send again: it failed with an error that is
 * not an `HttpException`, or its response could not be stored. No `Retry-After`: waiting does not help.
 */
export function responseUnavailable(reason: UnavailableReason): KvIdempotencyException {
  const why =
    reason === 'failed'
      ? 'it failed with an unexpected error, whose answer cannot be sent again'
      : 'its response could not be stored for replay';
  return new KvIdempotencyException(
    'IDEMPOTENCY_RESPONSE_UNAVAILABLE',
    HttpStatus.CONFLICT,
    `A request with this Idempotency-Key has already run, but ${why}. It is not run again: check its outcome, and use a new key for a new request.`,
  );
}

/** The key's record kept changing hands while this request tried to take it: it was not run, and a retry sorts it out. */
export function keyContended(): KvIdempotencyException {
  return new KvIdempotencyException(
    'IDEMPOTENCY_KEY_CONTENDED',
    HttpStatus.SERVICE_UNAVAILABLE,
    'The request was not run: other requests with this Idempotency-Key kept taking and freeing it. Retry it.',
    IN_USE_RETRY_AFTER_SECONDS,
  );
}

/**
 * The request has a body that the platform did not parse (a content type without a body parser, or one
 * parsed later, by a route's own interceptor): without it, another request could pass for a retry.
 */
export function bodyUnreadable(): KvIdempotencyException {
  return new KvIdempotencyException(
    'IDEMPOTENCY_BODY_UNREADABLE',
    HttpStatus.UNSUPPORTED_MEDIA_TYPE,
    'The request was not run: requests with an Idempotency-Key must have a body of a content type this server parses (such as application/json).',
  );
}

/**
 * The store failed while the interceptor read or wrote the key's record: the handler was not run. Always
 * 503 (a bad record key or value is the server's doing, never the client's), with `Retry-After` when the
 * failure passes by itself, as `KvHttpExceptionFilter` answers store errors.
 */
export function storeFailed(error: KvStoreError): KvIdempotencyException {
  return new KvIdempotencyException(
    error.code,
    HttpStatus.SERVICE_UNAVAILABLE,
    `The request was not run: its Idempotency-Key record could not be read or written. ${error.message}`,
    httpAnswerOf(error).retryAfterSeconds,
    error,
  );
}

/** Something other than the interceptor wrote under the key (its prefix overlaps other keys): the server's fault. */
export function recordUnreadable(): KvIdempotencyException {
  return new KvIdempotencyException(
    'IDEMPOTENCY_RECORD_UNREADABLE',
    HttpStatus.SERVICE_UNAVAILABLE,
    'The request was not run: the store holds a value under this Idempotency-Key that is not an idempotency record. ' +
      'Give the interceptor a keyPrefix that no other keys use.',
  );
}
