import { CacheInterceptor } from '@nestjs/cache-manager';
import { Controller, Get, Inject, Param, UseGuards, UseInterceptors } from '@nestjs/common';
import { setTimeout } from 'node:timers/promises';
import { ApiTokenGuard } from '../http/bearer-token.guard.js';
import { HttpError } from '../http/http-error.js';
import { SAMPLE_CONFIG, type SampleConfig } from '../sample.config.js';

/** A report name: lowercase letters, digits and dashes. */
const REPORT_NAME = /^[a-z0-9-]{1,64}$/;

export interface Report {
  name: string;
  generatedAt: string;
  generationMs: number;
}

/**
 * A deliberately slow resource, cached in DynamoDB through `@nestjs/cache-manager`: making a report takes
 * KV_REPORT_DELAY_MS (a stand-in for a slow query or upstream call). For KV_CACHE_TTL_MS after that, every
 * instance of the app on the same table answers `GET /reports/<name>` from the cache, without making it.
 */
@Controller('reports')
@UseGuards(ApiTokenGuard)
@UseInterceptors(CacheInterceptor)
export class ReportsController {
  constructor(@Inject(SAMPLE_CONFIG) private readonly config: SampleConfig) {}

  @Get(':name')
  async report(@Param('name') name: string): Promise<Report> {
    if (!REPORT_NAME.test(name)) {
      throw new HttpError(400, 'INVALID_REPORT_NAME', 'A report name is 1 to 64 lowercase letters, digits and dashes.');
    }
    const started = performance.now();
    await setTimeout(this.config.reports.delayMs);
    return { name, generatedAt: new Date().toISOString(), generationMs: Math.round(performance.now() - started) };
  }
}
