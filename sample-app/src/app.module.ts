import { Module, type DynamicModule } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { DynamoKvModule, type DynamoKvModuleOptions } from 'nestjs-dynamodb-kv';
import { LoggerModule } from 'nestjs-pino';
import { HealthController } from './health/health.controller.js';
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
    };
  }
}
