import { Module } from '@nestjs/common';
import { ConfigurableModuleClass } from './dynamo-kv.module-definition.js';

/**
 * `DynamoKvModule.forRoot(options)` / `forRootAsync({ imports, inject, useFactory })` provide a
 * {@link KVStore} under `KV_STORE` (or `getKvStoreToken(name)` for a named store). Wiring only: the store
 * owns its client and closes it on application shutdown.
 */
@Module({})
export class DynamoKvModule extends ConfigurableModuleClass {}
