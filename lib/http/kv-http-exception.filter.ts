import { Catch, HttpStatus, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import {
  InvalidJsonError,
  InvalidKeyError,
  InvalidTtlError,
  InvalidValueError,
  ItemTooLargeError,
  KeyNotFoundError,
  KvStoreError,
} from '../contract/kv-store.errors.js';

/** The JSON body of every error answer: the HTTP status, the store's error code, and what was wrong. */
export interface KvErrorBody {
  statusCode: number;
  error: string;
  message: string;
}

const RETRY_AFTER_SECONDS = '1';

/**
 * Answers the store's typed errors over HTTP, on Express or Fastify: 400 invalid key, value or TTL, 404
 * key not found, 413 item too large, 422 a stored value that is not JSON (getJson), 503 for DynamoDB
 * failures, with `Retry-After` (never 500). Register it globally
 * (`APP_FILTER`, or `app.useGlobalFilters(new KvHttpExceptionFilter(app.get(HttpAdapterHost)))`) or on a
 * controller with `@UseFilters(KvHttpExceptionFilter)`.
 */
@Catch(KvStoreError)
export class KvHttpExceptionFilter implements ExceptionFilter<KvStoreError> {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(error: KvStoreError, host: ArgumentsHost): void {
    const statusCode = httpStatusOf(error);
    const body: KvErrorBody = { statusCode, error: error.code, message: error.message };
    const { httpAdapter } = this.adapterHost;
    const response = host.switchToHttp().getResponse();
    // DynamoDB is out of reach or throttling for now: tell clients when to come back.
    if (statusCode === HttpStatus.SERVICE_UNAVAILABLE) httpAdapter.setHeader(response, 'retry-after', RETRY_AFTER_SECONDS);
    httpAdapter.reply(response, body, statusCode);
  }
}

function httpStatusOf(error: KvStoreError): number {
  if (error instanceof KeyNotFoundError) return HttpStatus.NOT_FOUND;
  if (error instanceof ItemTooLargeError) return HttpStatus.PAYLOAD_TOO_LARGE;
  if (error instanceof InvalidJsonError) return HttpStatus.UNPROCESSABLE_ENTITY;
  if (error instanceof InvalidKeyError || error instanceof InvalidValueError || error instanceof InvalidTtlError) {
    return HttpStatus.BAD_REQUEST;
  }
  return HttpStatus.SERVICE_UNAVAILABLE;
}
