import { CacheModule } from '@nestjs/cache-manager';
import type { DynamicModule } from '@nestjs/common';
import Keyv from 'keyv';
import { KV_STORE, type KVStore } from 'nestjs-dynamodb-kv';
import { KeyvKvStore } from 'nestjs-dynamodb-kv/keyv';
import type { SampleConfig } from '../sample.config.js';

/**
 * `@nestjs/cache-manager` on the app's store: Keyv over the KVStore the module injects, in the namespace
 * `reports`, so cached responses sit in the same table as `/kv` under keys that start with `reports:`.
 */
export function reportCache(config: SampleConfig): DynamicModule {
  return CacheModule.registerAsync({
    inject: [KV_STORE],
    useFactory: (store: KVStore) => ({
      stores: [new Keyv({ store: new KeyvKvStore(store), namespace: 'reports' })],
      ttl: config.reports.cacheTtlMs,
    }),
  });
}
