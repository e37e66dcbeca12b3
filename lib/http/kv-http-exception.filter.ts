import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { throwError, type Observable } from 'rxjs';
import { KvStoreError } from '../contract/kv-store.errors.js';
import { httpAnswerOf } from './kv-error-status.js';

/** The JSON body of every error answer: the HTTP status, the store's error code, and what was wrong. */
export interface KvErrorBody {
  statusCode: number;
  error: string;
  message: string;
}

/**
 * What a microservice or WebSocket client receives: Nest's own error payload (`status`, `message`, as
 * `BaseRpcExceptionFilter` and `BaseWsExceptionFilter` send it) with the store's code as `error`.
 */
export interface KvErrorPayload {
  status: 'error';
  error: string;
  message: string;
}

/**
 * Answers the store's typed errors over HTTP, on Express or Fastify, with one JSON body
 * ({@link KvErrorBody}): 400 invalid key, value or TTL, 404 key not found, 413 item too large, 422 a stored
 * value that is not JSON (getJson), and 503 for everything on the server's side, never 500. A 503 carries
 * `Retry-After` only when the failure passes by itself (DynamoDB unreachable or throttling, the store
 * overloaded, an outcome unknown): a missing table, bad options, DynamoDB refusing the request
 * (permissions, validation) or a store closed for shutdown need someone to act, so clients are not told
 * to come back in a second. Register it globally (`APP_FILTER`, or
 * `app.useGlobalFilters(new KvHttpExceptionFilter(app.get(HttpAdapterHost)))`) or on a controller with
 * `@UseFilters(KvHttpExceptionFilter)`.
 *
 * A global filter also sees the errors of microservice handlers, gateways and resolvers, where there is
 * no HTTP response to write. There it does what Nest's own filters do: for `rpc` it returns an
 * Observable that errors with a {@link KvErrorPayload}; for `ws` it emits that payload to the client as
 * `exception`; for `graphql` it returns the error, which GraphQL reports as the field's error; for any
 * other context it rethrows the error to the framework.
 */
@Catch(KvStoreError)
export class KvHttpExceptionFilter implements ExceptionFilter<KvStoreError> {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(error: KvStoreError, host: ArgumentsHost): Observable<never> | KvStoreError | undefined {
    // A string, not Nest's ContextType: 'graphql' is @nestjs/graphql's, which this package does not load.
    const type = host.getType<string>();
    if (type === 'http') return this.reply(error, host);
    if (type === 'rpc') return throwError(() => payloadOf(error));
    if (type === 'ws') return emitTo(host.switchToWs().getClient(), error);
    if (type === 'graphql') return error;
    throw error;
  }

  private reply(error: KvStoreError, host: ArgumentsHost): undefined {
    const { statusCode, retryAfterSeconds } = httpAnswerOf(error);
    const body: KvErrorBody = { statusCode, error: error.code, message: error.message };
    const { httpAdapter } = this.adapterHost;
    const response: unknown = host.switchToHttp().getResponse();
    if (retryAfterSeconds !== undefined) httpAdapter.setHeader(response, 'retry-after', String(retryAfterSeconds));
    httpAdapter.reply(response, body, statusCode);
    return undefined;
  }
}

function payloadOf(error: KvStoreError): KvErrorPayload {
  return { status: 'error', error: error.code, message: error.message };
}

/** As Nest's WebSocket filter does: to a client that can emit events; any other is left alone, as Nest leaves it. */
function emitTo(client: unknown, error: KvStoreError): undefined {
  const emit = (client as { emit?: unknown } | null | undefined)?.emit;
  if (typeof emit === 'function') emit.call(client, 'exception', payloadOf(error));
  return undefined;
}
