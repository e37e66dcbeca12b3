import type { FastifyInstance } from 'fastify';
import helmet from 'helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * helmet's default security headers (a content security policy, `X-Content-Type-Options: nosniff`,
 * `X-Frame-Options`, ...), exactly as helmet sets them, worked out once: with its defaults they do not
 * depend on the request. (@fastify/helmet builds helmet's middleware anew for every request, which cost
 * this app about a tenth of its CPU per request.)
 */
export function securityHeaders(): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  helmet()({} as IncomingMessage, recorder as unknown as ServerResponse, (error?: unknown) => {
    if (error !== undefined && error !== null) throw error;
  });
  return Object.freeze(headers);
}

/** Every response, error answers and 404s included, carries the security headers. */
export function registerSecurityHeaders(fastify: FastifyInstance): void {
  const headers = securityHeaders();
  fastify.addHook('onRequest', (_request, reply, done) => {
    void reply.headers(headers);
    done();
  });
}
