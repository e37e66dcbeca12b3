import { Catch, HttpStatus, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import {
  InvalidKeyError,
  InvalidValueError,
  ItemTooLargeError,
  KeyNotFoundError,
  KvStoreError,
} from 'nestjs-dynamodb-kv';

/** The JSON error body every 4xx/5xx of the sample has. */
export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
}

/** Maps the store's typed errors to HTTP: bad input 4xx, a DynamoDB outage 503 (never 500). */
@Catch(KvStoreError)
export class KvErrorFilter implements ExceptionFilter<KvStoreError> {
  catch(error: KvStoreError, host: ArgumentsHost): void {
    const status = statusOf(error);
    const body: ErrorBody = { statusCode: status, error: error.code, message: error.message };
    void host.switchToHttp().getResponse<FastifyReply>().status(status).send(body);
  }
}

function statusOf(error: KvStoreError): number {
  if (error instanceof KeyNotFoundError) return HttpStatus.NOT_FOUND;
  if (error instanceof ItemTooLargeError) return HttpStatus.PAYLOAD_TOO_LARGE;
  if (error instanceof InvalidKeyError || error instanceof InvalidValueError) return HttpStatus.BAD_REQUEST;
  return HttpStatus.SERVICE_UNAVAILABLE;
}
