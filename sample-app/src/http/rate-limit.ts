import { ThrottlerModule } from '@nestjs/throttler';
import type { DynamicModule } from '@nestjs/common';
import { KV_STORE, type KVStore } from 'nestjs-dynamodb-kv';
import { DynamoKvThrottlerStorage } from 'nestjs-dynamodb-kv/throttler';
import type { SampleConfig } from '../sample.config.js';

/**
 * `@nestjs/throttler` with its counts in the app's table, so that every instance of the app enforces one
 * limit per client: `/kv` takes `ThrottlerGuard` (see KvController). With KV_RATE_LIMIT=off the guard
 * lets everything through without a call to the store.
 */
export function rateLimit(config: SampleConfig): DynamicModule {
  const { rateLimit: limit } = config;
  return ThrottlerModule.forRootAsync({
    inject: [KV_STORE],
    useFactory: (store: KVStore) => ({
      throttlers: [{ limit: limit?.limit ?? 1, ttl: (limit?.windowSeconds ?? 1) * 1000 }],
      skipIf: () => limit === undefined,
      storage: new DynamoKvThrottlerStorage(store),
    }),
  });
}
