import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { TerminusModule } from '@nestjs/terminus';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { DynamoKvModule, type DynamoKvModuleOptions } from 'nestjs-dynamodb-kv';
import { LoggerModule } from 'nestjs-pino';
import { HealthController } from './health/health.controller.js';
import { HttpErrorFilter } from './http/http-error.filter.js';
import { MetricsController } from './http/metrics.controller.js';
import { rateLimit } from './http/rate-limit.js';
import { KeyCountJob } from './jobs/key-count.job.js';
import { KvController } from './kv/kv.controller.js';
import { pinoOptions } from './logging/pino-options.js';
import { reportCache } from './reports/report-cache.js';
import { ReportsController } from './reports/reports.controller.js';
import { SAMPLE_CONFIG, type SampleConfig } from './sample.config.js';
import { KV_OPTIONS, StorageModule } from './storage/storage.module.js';

@Module({})
export class AppModule {
  static register(config: SampleConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        // Global: the guards run in PrometheusModule's controller too.
        { module: SampleConfigModule, global: true, providers: [{ provide: SAMPLE_CONFIG, useValue: config }], exports: [SAMPLE_CONFIG] },
        LoggerModule.forRoot(pinoOptions(config.logLevel)),
        PrometheusModule.register({ controller: MetricsController }),
        TerminusModule,
        ScheduleModule.forRoot(),
        DynamoKvModule.forRootAsync({
          // Global: the report cache is built from the store.
          isGlobal: true,
          imports: [StorageModule.register(config)],
          inject: [KV_OPTIONS],
          useFactory: (options: DynamoKvModuleOptions) => options,
        }),
        reportCache(config),
        rateLimit(config),
      ],
      controllers: [KvController, ReportsController, HealthController],
      providers: [
        { provide: APP_FILTER, useClass: HttpErrorFilter },
        KeyCountJob,
      ],
    };
  }
}

/** The app's settings, for whoever needs them. */
@Module({})
class SampleConfigModule {}
