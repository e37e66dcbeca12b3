import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { DynamoKvModule, KvHttpExceptionFilter } from 'nestjs-dynamodb-kv';
import { GreetingService } from './greeting.service';
import { HealthController } from './health.controller';
import { KvController } from './kv.controller';

@Module({
  imports: [
    TerminusModule,
    PrometheusModule.register(),
    DynamoKvModule.forRoot({
      table: process.env.KV_TABLE ?? 'kv-store',
      endpoint: process.env.DYNAMODB_ENDPOINT,
      region: 'us-east-1',
      // A local endpoint takes any credentials, but the SDK needs some to sign with.
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  ],
  controllers: [KvController, HealthController],
  providers: [GreetingService, { provide: APP_FILTER, useClass: KvHttpExceptionFilter }],
})
export class AppModule {}
