import { Controller, Get, Header, Module } from '@nestjs/common';
import { register } from 'prom-client';

// prom-client directly, not @willsoto/nestjs-prometheus: that package is CommonJS and require()s
// @nestjs/common, and Jest 29 in ESM mode refuses to require() ESM-only Nest 12 ("Must use import to load
// ES Module"), so this app's e2e test could not load it (Node itself can, from 20.19).
@Controller('metrics')
class MetricsController {
  @Get()
  @Header('content-type', register.contentType)
  metrics(): Promise<string> {
    return register.metrics();
  }
}

@Module({ controllers: [MetricsController] })
export class MetricsModule {}
