import { Catch, HttpException, type ArgumentsHost } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { KvErrorBody } from 'nestjs-dynamodb-kv';

interface FastifyError extends Error {
  code: string;
}

/**
 * Fastify rejects some requests before any route runs (unsupported content type, malformed JSON, a body
 * over the limit), and Nest turns those into HttpExceptions. This answers them in the app's JSON error
 * shape, with Fastify's code, and names the content type it refused.
 */
@Catch(HttpException)
export class FastifyErrorFilter extends BaseExceptionFilter {
  override catch(exception: HttpException, host: ArgumentsHost): void {
    const cause = exception.cause;
    if (!isFastifyError(cause)) {
      super.catch(exception, host);
      return;
    }
    const http = host.switchToHttp();
    const statusCode = exception.getStatus();
    const message =
      cause.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
        ? `Content type '${http.getRequest<FastifyRequest>().headers['content-type'] ?? ''}' is not supported: use text/plain or application/json.`
        : cause.message;
    const body: KvErrorBody = { statusCode, error: cause.code, message };
    void http.getResponse<FastifyReply>().status(statusCode).send(body);
  }
}

function isFastifyError(error: unknown): error is FastifyError {
  return error instanceof Error && error.name === 'FastifyError' && typeof (error as Partial<FastifyError>).code === 'string';
}
