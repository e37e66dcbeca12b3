import { Catch, HttpException, HttpStatus, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { KvHttpExceptionFilter, KvStoreError, type KvErrorBody } from 'nestjs-dynamodb-kv';
import { HttpError } from './http-error.js';

/**
 * Every error answer of the app in one JSON shape, `{ statusCode, error, message }`: the store's errors
 * (through the library's filter), the app's own, Nest's, and what Fastify refuses before any route runs.
 * Anything else is a bug: 500, logged, with no internals in the body. The one exception is /health's
 * 503, which is Terminus's report.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger(HttpErrorFilter.name);
  private readonly storeErrors: KvHttpExceptionFilter;

  constructor(private readonly adapterHost: HttpAdapterHost) {
    this.storeErrors = new KvHttpExceptionFilter(adapterHost);
  }

  catch(exception: unknown, host: ArgumentsHost): void {
    if (exception instanceof KvStoreError) {
      this.storeErrors.catch(exception, host);
      return;
    }
    const http = host.switchToHttp();
    if (isHealthReport(exception)) {
      // /health answers Terminus's report, down as well as up: that is what probes and dashboards read.
      return this.adapterHost.httpAdapter.reply(http.getResponse(), exception.getResponse(), exception.getStatus());
    }
    const body = this.bodyOf(exception, http.getRequest<FastifyRequest>());
    if (body.statusCode >= 500) this.logger.error({ msg: 'Request failed', err: exception });
    this.adapterHost.httpAdapter.reply(http.getResponse(), body, body.statusCode);
  }

  private bodyOf(exception: unknown, request: FastifyRequest): KvErrorBody {
    const cause = exception instanceof HttpException ? exception.cause : exception;
    if (cause instanceof HttpError) return cause.body;
    if (isFastifyError(cause)) return fastifyBody(cause, request);
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      if (typeof response === 'object' && typeof (response as KvErrorBody).error === 'string' && /^[A-Z_]+$/.test((response as KvErrorBody).error)) {
        return { statusCode: status, error: (response as KvErrorBody).error, message: String((response as KvErrorBody).message) };
      }
      return { statusCode: status, error: codeOf(status), message: exception.message };
    }
    return { statusCode: 500, error: 'INTERNAL_ERROR', message: 'The server could not answer this request.' };
  }
}

function isHealthReport(exception: unknown): exception is HttpException {
  if (!(exception instanceof HttpException)) return false;
  const response = exception.getResponse() as { status?: unknown; details?: unknown };
  return typeof response === 'object' && response.status === 'error' && typeof response.details === 'object';
}

interface FastifyError extends Error {
  code: string;
  statusCode?: number;
}

function isFastifyError(error: unknown): error is FastifyError {
  return error instanceof Error && typeof (error as Partial<FastifyError>).code === 'string' && (error as FastifyError).code.startsWith('FST_');
}

function fastifyBody(error: FastifyError, request: FastifyRequest): KvErrorBody {
  const statusCode = error.statusCode ?? HttpStatus.BAD_REQUEST;
  const contentType = request.headers['content-type'];
  const message =
    error.code !== 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
      ? error.message
      : contentType === undefined
        ? 'A body needs a content type: text/plain or application/json.'
        : `Content type '${contentType}' is not supported: use text/plain or application/json.`;
  return { statusCode, error: error.code, message };
}

/** `NOT_FOUND` for 404, and so on: Nest's reason phrase as a constant. */
function codeOf(status: number): string {
  const name = Object.entries(HttpStatus).find(([, value]) => value === status)?.[0];
  return name ?? `HTTP_${status}`;
}
