import { RequestMethod } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import type { Params } from 'nestjs-pino';

/** Probes and scrapes would drown the request log. */
const UNLOGGED_PATHS = new Set(['/health', '/metrics']);

/**
 * JSON request logs. Keys are only for debug level, so request lines show `/kv/[key]`; bodies (values)
 * are never logged; credentials in headers are redacted.
 */
export function pinoOptions(level: string): Params {
  return {
    // nestjs-pino 5.2's default route, '{/*splat}', matches nothing on Nest 12 with Fastify: no request logs.
    forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
    pinoHttp: {
      level,
      // Fastify's middleware layer rewrites req.url relative to the mount path; originalUrl keeps the path.
      autoLogging: { ignore: (request: IncomingMessage & { originalUrl?: string }) => UNLOGGED_PATHS.has(pathOf(request.originalUrl ?? request.url)) },
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-amz-security-token"]'], censor: '[redacted]' },
      serializers: {
        req(request: { url?: string }) {
          if (request.url !== undefined) request.url = request.url.replace(/^\/kv\/[^?]+/, '/kv/[key]');
          return request;
        },
      },
    },
  };
}

function pathOf(url: string | undefined): string {
  return (url ?? '').split('?')[0] ?? '';
}
