import type { FastifyInstance } from 'fastify';
import { HttpError } from './http-error.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The body exactly as sent, decoded as UTF-8 (text/plain and application/json). */
    bodyText?: string;
  }
}

// fatal: bytes that are not UTF-8 are refused, never turned into U+FFFD; ignoreBOM: a leading BOM is kept.
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const UTF8_NAMES = new Set(['utf-8', 'utf8']);

/**
 * The only bodies the app takes: text/plain and application/json, in UTF-8. A value must round-trip byte
 * for byte, so a body that is not valid UTF-8, or declares another charset, is refused (400, 415)
 * rather than decoded into something else. JSON is checked here and kept as its exact text.
 */
export function registerBodyParsers(fastify: FastifyInstance, bodyLimit: number): void {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser(['application/json', 'text/plain'], { parseAs: 'buffer', bodyLimit }, (request, body, done) => {
    const contentType = String(request.headers['content-type'] ?? '');
    const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType)?.[1]?.toLowerCase();
    if (charset !== undefined && !UTF8_NAMES.has(charset)) {
      return done(new HttpError(415, 'UNSUPPORTED_CHARSET', `Charset '${charset}' is not supported: send the body as UTF-8.`));
    }
    let text: string;
    try {
      text = UTF8.decode(body as Buffer);
    } catch {
      return done(new HttpError(400, 'INVALID_UTF8', 'The body is not valid UTF-8; values are stored as UTF-8 text, byte for byte.'));
    }
    request.bodyText = text;
    if (!contentType.toLowerCase().startsWith('application/json')) return done(null, text);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(new HttpError(400, 'INVALID_JSON_BODY', 'The body is not valid JSON.'));
    }
  });
}
