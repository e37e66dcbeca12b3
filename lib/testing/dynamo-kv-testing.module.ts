import { Module, type DynamicModule } from '@nestjs/common';
import { DEFAULT_STORE_NAME, getKvStoreToken } from '../contract/kv-store.tokens.js';
import { DynamoKvCoreModule } from '../module/dynamo-kv-core.module.js';
import { StoreRegistrations } from '../module/store-registrations.js';
import { InMemoryKvStore } from './in-memory-kv.store.js';

export interface DynamoKvTestingModuleOptions {
  /** Registers the store under `getKvStoreToken(name)`, as `DynamoKvModule.forRoot({ name })` would. */
  name?: string;
  isGlobal?: boolean;
  /** The store to provide; a fresh {@link InMemoryKvStore} when omitted. */
  store?: InMemoryKvStore;
}

/**
 * `DynamoKvModule` for tests: an {@link InMemoryKvStore} under the same tokens, and the same health
 * indicator, so that code under test runs unchanged and without a server.
 */
@Module({})
export class DynamoKvTestingModule {
  static forRoot(options: DynamoKvTestingModuleOptions = {}): DynamicModule {
    const token = getKvStoreToken(options.name);
    const store = options.store ?? new InMemoryKvStore();
    return {
      module: DynamoKvTestingModule,
      global: options.isGlobal ?? false,
      imports: [DynamoKvCoreModule],
      providers: [
        {
          provide: token,
          inject: [StoreRegistrations],
          useFactory: (registrations: StoreRegistrations) => {
            registrations.claim(options.name ?? DEFAULT_STORE_NAME, store);
            return store;
          },
        },
      ],
      exports: [token],
    };
  }
}
