import { Controller, Get, Res, UseGuards } from '@nestjs/common';
import { PrometheusController } from '@willsoto/nestjs-prometheus';
import { MetricsTokenGuard } from './bearer-token.guard.js';

/** @willsoto/nestjs-prometheus's /metrics, behind KV_METRICS_TOKEN when it is set. */
@Controller()
export class MetricsController extends PrometheusController {
  @Get()
  @UseGuards(MetricsTokenGuard)
  override index(@Res({ passthrough: true }) response: unknown): Promise<string> {
    return super.index(response);
  }
}
