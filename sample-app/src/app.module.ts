import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { DynamoKvModule, type DynamoKvModuleOptions } from 'nestjs-dynamodb-kv';
import { LoggerModule } from 'nestjs-pino';
import { HealthController } from './health/health.controller.js';
import { FastifyErrorFilter } from './http/fastify-error.filter.js';
import { KvController } from './kv/kv.controller.js';
import { pinoOptions } from './logging/pino-options.js';
import type { SampleConfig } from './sample.config.js';
import { KV_OPTIONS, StorageModule } from './storage/storage.module.js';

@Module({})
export class AppModule {
  static register(config: SampleConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        LoggerModule.forRoot(pinoOptions(config.logLevel)),
        PrometheusModule.register(),
        TerminusModule,
        DynamoKvModule.forRootAsync({
          imports: [StorageModule.register(config)],
          inject: [KV_OPTIONS],
          useFactory: (options: DynamoKvModuleOptions) => options,
        }),
      ],
      controllers: [KvController, HealthController],
      providers: [{ provide: APP_FILTER, useClass: FastifyErrorFilter }],
    };
  }
}
