import { RequestMethod } from '@nestjs/common';
import cluster from 'node:cluster';
import type { IncomingMessage } from 'node:http';
import { hostname } from 'node:os';
import type { Params } from 'nestjs-pino';

/** Probes and scrapes would drown the request log. */
const UNLOGGED_PATHS = new Set(['/health', '/metrics']);

/** Header and query parameter names that carry credentials, by what they are called in the wild. */
const CREDENTIAL_NAME = /auth|cookie|token|secret|password|passwd|api[-_]?key|session|signature|credential|x-amz-security/i;

const REDACTED = '[redacted]';

/**
 * JSON request logs. Keys are only for debug level, so request lines show `/kv/[key]` and `key=[key]`;
 * bodies (values) are never logged; every credential-like header and query parameter is redacted.
 */
export function pinoOptions(level: string): Params {
  return {
    // nestjs-pino 5.2's default route, '{/*splat}', matches nothing on Nest 12 with Fastify: no request logs.
    forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
    pinoHttp: {
      level,
      // In a cluster (cluster.ts), every line also says which worker wrote it (pino's default base, plus `worker`).
      ...(cluster.isWorker ? { base: { pid: process.pid, hostname: hostname(), worker: cluster.worker?.id } } : {}),
      // Fastify's middleware layer rewrites req.url relative to the mount path; originalUrl keeps the path.
      autoLogging: { ignore: (request: IncomingMessage & { originalUrl?: string }) => UNLOGGED_PATHS.has(pathOf(request.originalUrl ?? request.url)) },
      serializers: {
        req(request: { url?: string; headers?: Record<string, unknown>; query?: Record<string, unknown>; params?: Record<string, unknown> }) {
          return {
            ...request,
            url: request.url === undefined ? undefined : redactedUrl(request.url),
            headers: redacted(request.headers),
            query: redacted(request.query),
            params: redacted(request.params),
          };
        },
      },
    },
  };
}

/** Headers, query or route parameters with keys and credentials replaced (a loop: this runs for every request). */
function redacted(fields: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (fields === undefined) return undefined;
  const safe: Record<string, unknown> = {};
  for (const name of Object.keys(fields)) safe[name] = name === 'key' ? '[key]' : CREDENTIAL_NAME.test(name) ? REDACTED : fields[name];
  return safe;
}

/** The path with the key out of `/kv/<key>`, and the query with keys and credentials out. */
export function redactedUrl(url: string): string {
  const [path = '', query] = url.split('?', 2);
  const safePath = path.replace(/^\/kv\/.+/, '/kv/[key]');
  if (query === undefined) return safePath;
  const safeQuery = query
    .split('&')
    .map((pair) => {
      const name = decodeURIComponent(pair.split('=', 1)[0] ?? '');
      if (name === 'key') return 'key=[key]';
      return CREDENTIAL_NAME.test(name) ? `${pair.split('=', 1)[0]}=${REDACTED}` : pair;
    })
    .join('&');
  return `${safePath}?${safeQuery}`;
}

function pathOf(url: string | undefined): string {
  return (url ?? '').split('?')[0] ?? '';
}
