import { CacheModule } from '@nestjs/cache-manager';
import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { Keyv } from 'keyv';
import { DynamoKvModule, KV_STORE, KvHttpExceptionFilter, type KVStore } from 'nestjs-dynamodb-kv';
import { KeyvKvStore } from 'nestjs-dynamodb-kv/keyv';
import { GreetingService } from './greeting.service';
import { HealthController } from './health.controller';
import { KvController } from './kv.controller';
import { MetricsModule } from './metrics.module';
import { PricesController } from './prices.controller';

@Module({
  imports: [
    TerminusModule,
    MetricsModule,
    DynamoKvModule.forRoot({
      table: process.env.KV_TABLE ?? 'kv-store',
      endpoint: process.env.DYNAMODB_ENDPOINT,
      region: 'us-east-1',
      // A local endpoint takes any credentials, but the SDK needs some to sign with.
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      isGlobal: true,
    }),
    CacheModule.registerAsync({
      inject: [KV_STORE],
      useFactory: (store: KVStore) => ({
        stores: [
          new Keyv({ store: new KeyvKvStore(store), namespace: 'http-cache' }),
        ],
        ttl: 60_000, // for routes without @CacheTTL
      }),
    }),
  ],
  controllers: [KvController, HealthController, PricesController],
  providers: [GreetingService, { provide: APP_FILTER, useClass: KvHttpExceptionFilter }],
})
export class AppModule {}
