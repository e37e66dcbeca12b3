import type { FastifyRequest } from 'fastify';
import { HttpError } from '../http/http-error.js';

/**
 * The value a `PUT /kv/:key` stores: the body exactly as sent (decoded as UTF-8 by the app's body
 * parser, which has already checked that JSON is JSON and refused anything else).
 */
export function requestValue(request: FastifyRequest): string {
  if (request.headers['content-type'] === undefined) {
    throw new HttpError(400, 'MISSING_CONTENT_TYPE', 'Send the value as the request body, as text/plain or application/json.');
  }
  return request.bodyText ?? '';
}

/**
 * `{ "key": ..., "value": ... }` as in the GoFr example. The value must be a JSON string: any other JSON
 * value would come back re-serialised (1e400 as null, long integers rounded, spacing lost), not as sent.
 */
export function keyValueOf(body: unknown): { key: string; value: string } {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new HttpError(400, 'INVALID_BODY', 'Send a JSON object: { "key": "...", "value": "..." }.');
  }
  const { key, value } = body as Record<string, unknown>;
  if (typeof key !== 'string') throw new HttpError(400, 'INVALID_BODY', '"key" must be a string.');
  if (value === undefined) throw new HttpError(400, 'INVALID_BODY', '"value" is missing.');
  if (typeof value !== 'string') {
    throw new HttpError(400, 'INVALID_BODY', '"value" must be a string; to store JSON exactly as sent, PUT it to /kv/:key as application/json.');
  }
  return { key, value };
}

/** The characters a JSON text can start with, after white space. */
const JSON_START = /^[ \t\n\r]*[[{"\-0-9tfn]/;

/**
 * How `GET /kv/:key` labels a stored value. Text that cannot start a JSON value is not parsed: a failed
 * `JSON.parse` builds an error with its stack, several µs a request.
 */
export function contentTypeOf(value: string): string {
  if (!JSON_START.test(value)) return 'text/plain; charset=utf-8';
  try {
    JSON.parse(value);
    return 'application/json; charset=utf-8';
  } catch {
    return 'text/plain; charset=utf-8';
  }
}
