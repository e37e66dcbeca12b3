import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createHash, timingSafeEqual } from 'node:crypto';
import { SAMPLE_CONFIG, type SampleConfig } from '../sample.config.js';
import { HttpError } from './http-error.js';

/**
 * Lets a request through when it carries `Authorization: Bearer <token>` with the configured token, or
 * when no token is configured. Compares digests in constant time, so the answer's timing tells nothing.
 */
abstract class BearerTokenGuard implements CanActivate {
  protected abstract readonly token: string | undefined;
  protected abstract readonly setting: string;

  canActivate(context: ExecutionContext): boolean {
    if (this.token === undefined) return true;
    const http = context.switchToHttp();
    const header = http.getRequest<FastifyRequest>().headers.authorization ?? '';
    const sent = /^Bearer\s+(.+)$/i.exec(header)?.[1] ?? '';
    if (timingSafeEqual(digest(sent), digest(this.token))) return true;
    void http.getResponse<FastifyReply>().header('www-authenticate', 'Bearer');
    throw new HttpError(401, 'UNAUTHORIZED', `Send Authorization: Bearer <${this.setting}>.`);
  }
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** `/kv` and `/reports` behind KV_API_TOKEN. */
@Injectable()
export class ApiTokenGuard extends BearerTokenGuard {
  protected readonly token: string | undefined;
  protected readonly setting = 'KV_API_TOKEN';

  constructor(@Inject(SAMPLE_CONFIG) config: SampleConfig) {
    super();
    this.token = config.apiToken;
  }
}

/** `/metrics` behind KV_METRICS_TOKEN. */
@Injectable()
export class MetricsTokenGuard extends BearerTokenGuard {
  protected readonly token: string | undefined;
  protected readonly setting = 'KV_METRICS_TOKEN';

  constructor(@Inject(SAMPLE_CONFIG) config: SampleConfig) {
    super();
    this.token = config.metricsToken;
  }
}
