import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { DYNAMO_KV_STORE } from './dynamo-kv.constants.js';
import { ConfigurableModuleClass } from './dynamo-kv.module-definition.js';
import { DynamoKvStore } from './dynamo-kv.store.js';

/**
 * `DynamoKvModule.forRoot(options)` / `forRootAsync({ imports, inject, useFactory })` provide a
 * {@link KVStore} under `KV_STORE` (or `getKvStoreToken(name)` for a named store).
 */
@Module({})
export class DynamoKvModule extends ConfigurableModuleClass implements OnApplicationShutdown {
  constructor(@Inject(DYNAMO_KV_STORE) private readonly store: DynamoKvStore) {
    super();
  }

  onApplicationShutdown(): void {
    this.store.close();
  }
}
