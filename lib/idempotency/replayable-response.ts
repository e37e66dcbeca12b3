import { StreamableFile } from '@nestjs/common';
import type { HttpAdapterHost } from '@nestjs/core';
import type { StoredBody, StoredResponse } from './idempotency-record.js';

/**
 * The response a handler's result makes, as stored for replay: its status (see `HandlerStatus`), the
 * `replayedHeaders` the handler or `@Header()` set, and the result's JSON text, which is what Nest sends
 * for it on both platforms. A string when it cannot be replayed, saying why.
 */
export function replayableResponse(
  adapterHost: HttpAdapterHost,
  response: unknown,
  status: unknown,
  result: unknown,
  replayedHeaders: readonly string[],
): StoredResponse | string {
  const problem = unreplayable(result);
  if (problem !== undefined) return problem;
  let body: StoredBody | undefined;
  if (result !== undefined) {
    let json: string | undefined;
    try {
      json = JSON.stringify(result);
    } catch {
      return 'the result has no JSON form (a cycle or a BigInt)';
    }
    if (json === undefined) return 'the result has no JSON form';
    body = { json, object: typeof result === 'object' && result !== null };
  }
  if (typeof status !== 'number') return 'the response has no status code';
  const { httpAdapter } = adapterHost;
  const headers: Record<string, string> = {};
  for (const name of replayedHeaders) {
    const value: unknown = httpAdapter.getHeader(response, name);
    if (value !== undefined && value !== null) headers[name] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return body === undefined ? { kind: 'result', status, headers } : { kind: 'result', status, headers, body };
}

/**
 * The value to hand Nest for a stored body, so that it sends the same bytes: the parsed JSON, which Nest
 * serializes back to the same text. A result that was an object but whose JSON is not one (a `Date`, a
 * `toJSON()` giving a string) goes back in an object whose `toJSON()` gives that value, so that Nest still
 * sends it as JSON, quotes included, and not as text.
 */
export function replayedBody(body: StoredBody | undefined): unknown {
  if (body === undefined) return undefined;
  const value: unknown = JSON.parse(body.json);
  if (!body.object || (typeof value === 'object' && value !== null)) return value;
  return { toJSON: () => value };
}

/** Results Nest sends as a stream or as bytes, or that JSON would change: they cannot be stored as JSON and sent again. */
function unreplayable(result: unknown): string | undefined {
  if (result instanceof StreamableFile) return 'it is a StreamableFile';
  if (result instanceof Uint8Array || result instanceof ArrayBuffer) return 'it is binary';
  if (typeof result === 'number' && !Number.isFinite(result)) return 'it is a number JSON cannot represent';
  if (typeof result === 'function' || typeof result === 'symbol' || typeof result === 'bigint') return `it is a ${typeof result}`;
  if (typeof result === 'object' && result !== null) {
    const methods = result as { pipe?: unknown; getReader?: unknown; then?: unknown; [Symbol.asyncIterator]?: unknown };
    if (typeof methods.pipe === 'function' || typeof methods.getReader === 'function') return 'it is a stream';
    if (typeof methods[Symbol.asyncIterator] === 'function' || Object.prototype.toString.call(result) === '[object Response]') return 'it is a stream';
    if (typeof methods.then === 'function') return 'it is a promise';
    if (result instanceof Error) return 'it is an Error';
  }
  return undefined;
}
