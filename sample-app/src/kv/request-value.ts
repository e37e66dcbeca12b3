import { BadRequestException, UnsupportedMediaTypeException, type RawBodyRequest } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

/**
 * The value a `PUT /kv/:key` stores: the body exactly as sent. JSON is kept as its raw text (spacing and
 * key order included), after the parser has checked that it is JSON.
 */
export function requestValue(request: RawBodyRequest<FastifyRequest>): string {
  const mediaType = mediaTypeOf(request);
  if (mediaType === undefined) {
    throw new BadRequestException('Send the value as the request body, as text/plain or application/json.');
  }
  if (mediaType === 'application/json') return request.rawBody?.toString('utf8') ?? '';
  if (mediaType === 'text/plain') return typeof request.body === 'string' ? request.body : '';
  throw new UnsupportedMediaTypeException(`Content type '${mediaType}' is not supported: use text/plain or application/json.`);
}

/** `{ "key": ..., "value": ... }` as in the GoFr example; a non-string value is stored as its JSON text. */
export function keyValueOf(body: unknown): { key: string; value: string } {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new BadRequestException('Send a JSON object: { "key": "...", "value": ... }.');
  }
  const { key, value } = body as Record<string, unknown>;
  if (typeof key !== 'string') throw new BadRequestException('"key" must be a string.');
  if (value === undefined) throw new BadRequestException('"value" is missing.');
  return { key, value: typeof value === 'string' ? value : JSON.stringify(value) };
}

/** How `GET /kv/:key` labels a stored value. */
export function contentTypeOf(value: string): string {
  try {
    JSON.parse(value);
    return 'application/json; charset=utf-8';
  } catch {
    return 'text/plain; charset=utf-8';
  }
}

function mediaTypeOf(request: FastifyRequest): string | undefined {
  const header = request.headers['content-type'];
  return header?.split(';')[0]?.trim().toLowerCase() || undefined;
}
