import { HttpException } from '@nestjs/common';
import type { StoredResponse } from './idempotency-record.js';

/**
 * What a handler's failure leaves behind: `free`, the key is freed for a retry; `store`, the error answer
 * is stored and replayed like a response; `unavailable`, the request counts as run, with nothing to replay.
 */
export type FailureOutcome = { kind: 'free' } | { kind: 'store'; response: StoredResponse } | { kind: 'unavailable' };

/**
 * A 4xx `HttpException` says the request was refused, nothing done: a guard-like check, a pipe (a
 * `ValidationPipe` fails inside the interceptor's run, before the handler's body), or the handler turning
 * the request down; the key is freed so that the corrected request can use it. Any other `HttpException`
 * (a 5xx) may come after side effects: its answer, the status and `getResponse()`, is kept and replayed,
 * as the draft asks for a completed operation's result, error or not. Anything else gets whatever answer
 * the app's exception filters make of it, which cannot be known here: the key is kept with nothing to replay.
 */
export function failureOutcome(error: unknown): FailureOutcome {
  if (!(error instanceof HttpException)) return { kind: 'unavailable' };
  const status = error.getStatus();
  if (status >= 400 && status < 500) return { kind: 'free' };
  const response: unknown = error.getResponse();
  if (typeof response === 'string') return { kind: 'store', response: { kind: 'exception', status, response } };
  let json: unknown;
  try {
    // What Nest's exception handling sends of it is its JSON: kept as that, it is replayed as that.
    json = JSON.parse(JSON.stringify(response) ?? 'null');
  } catch {
    return { kind: 'unavailable' };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return { kind: 'unavailable' };
  return { kind: 'store', response: { kind: 'exception', status, response: json as Record<string, unknown> } };
}
