import type { AbstractHttpAdapter } from '@nestjs/core';
import type { FingerprintedRequest } from './request-fingerprint.js';

/** What the interceptor reads of a request, on Express and Fastify alike. */
export interface HttpRequest {
  headers?: Record<string, unknown>;
  body?: unknown;
  /** Kept by Nest when the app is created with `rawBody: true`. */
  rawBody?: unknown;
}

/**
 * The parts of `request` its fingerprint is made of; undefined when it has a body that is neither parsed
 * nor kept raw (a content type without a body parser on Express, or a multipart body a route's own
 * `FileInterceptor` parses after this runs). Such a body cannot be told from another, so a request that
 * only differs there would be taken for a retry.
 */
export function fingerprintedRequest(request: HttpRequest, httpAdapter: AbstractHttpAdapter): FingerprintedRequest | undefined {
  const raw = request.rawBody instanceof Uint8Array ? request.rawBody : undefined;
  if (raw === undefined && request.body === undefined && hasBody(request.headers ?? {})) return undefined;
  const contentType = request.headers?.['content-type'];
  return {
    method: String(httpAdapter.getRequestMethod(request)),
    url: String(httpAdapter.getRequestUrl(request)),
    contentType: typeof contentType === 'string' ? contentType.toLowerCase().replace(/\s+/g, '') : '',
    body: raw ?? request.body,
  };
}

/** Whether the request carries a body (RFC 9112, 6.3): a `Transfer-Encoding`, or a `Content-Length` above zero. */
function hasBody(headers: Record<string, unknown>): boolean {
  if (headers['transfer-encoding'] !== undefined) return true;
  const length = Number(headers['content-length']);
  return Number.isFinite(length) && length > 0;
}
